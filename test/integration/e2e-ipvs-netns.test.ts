import t from 'tap';
import { join } from 'node:path';
import { needTools } from '../lab/need-tools.js';
import { createNetns } from '../lab/netns.js';
import { sh, waitFor } from '../lab/proc.js';
import { freePort, legacyPool, tempDir, Vipd, webService, writeFile } from './e2e-helpers.js';

// `vipd run` without -n drives the real ipvsadm, here inside a network namespace the test made (IPVS
// tables are per namespace, so nothing outside it changes). Where the kernel has IPVS the table
// must match the pool and survive SIGTERM; where it has none (this dev machine), the failure must
// be a critical /alerts naming ipvsadm's error, and vipd keeps running.
t.test('vipd run with the real ipvsadm in a namespace', async (t) => {
  if (!needTools(t, 'ip', 'ipvsadm')) return;
  const ns = await createNetns();
  t.teardown(() => ns.destroy());
  const exec = (...args: string[]) => sh('ip', ['netns', 'exec', ns.name, ...args]);
  const kernelHasIpvs = await exec('ipvsadm', '-Sn').then(() => true, () => false);
  t.comment(`kernel IPVS in the namespace: ${kernelHasIpvs ? 'yes' : 'no'}`);
  const dir = tempDir(t);
  writeFile(join(dir, 'web.pools'), legacyPool([{ host: '10.0.0.1' }, { host: '10.0.0.2', weight: 0 }]));
  const apiPort = await freePort(ns.hostIp); // a port number; the API listens inside the namespace
  const cfg = join(dir, 'vipd.conf');
  writeFile(cfg, `[global]
instrumentation = yes
instrumentation_port = ${apiPort}
instrumentation_ips = [ "${ns.nsIp}" ]

${webService(80, `${dir}/web.pools`)}`);
  const vipd = new Vipd(cfg, `${ns.nsIp}:${apiPort}`, [], ['ip', 'netns', 'exec', ns.name]);
  t.teardown(() => vipd.stop());
  t.teardown(() => { if (!t.passing()) t.comment(vipd.tail(40)); });
  await vipd.waitApi(15_000);

  if (!kernelHasIpvs) {
    // The table cannot be read, so nothing is applied (issue 11): the alert says so with ipvsadm's error.
    const alert = await waitFor('IPVS alert', 10_000, async () => {
      const a = (await vipd.get('/alerts')).body as { status: string; msg: string };
      return a.status === 'critical' && a.msg.includes('ipvs: IPVS table unreadable') ? a : undefined;
    });
    t.match(alert.msg, /IPVS table unreadable: ipvsadm .+ failed: .*Can't initialize ipvs.*; nothing applied/, 'the alert carries ipvsadm\'s own error');
    // the alert may come in a reading taken before the pool file was read: the decisions follow
    const want = '10.0.0.1:\tenabled/up/pooled\n10.0.0.2:\tenabled/up/pooled\n';
    const pools = await waitFor('/pools/web', 10_000, async () => {
      const body = (await vipd.get('/pools/web', false)).body;
      return body === want ? body : undefined;
    }).catch(async () => (await vipd.get('/pools/web', false)).body);
    t.equal(pools, want, 'decisions still made');
    vipd.signal('SIGTERM');
    t.equal(await vipd.exited, 0);
    return;
  }
  const table = await waitFor('IPVS table', 10_000, async () => {
    const out = await exec('ipvsadm', '-Sn');
    return out.includes('-r 10.0.0.2:80') ? out : undefined;
  });
  t.match(table, /^-A -t 10\.2\.1\.1:80 -s wrr$/m);
  t.match(table, /^-a -t 10\.2\.1\.1:80 -r 10\.0\.0\.1:80 -g -w 10$/m);
  t.match(table, /^-a -t 10\.2\.1\.1:80 -r 10\.0\.0\.2:80 -g -w 0$/m, 'weight 0 stays 0 (drain)');
  t.equal(((await vipd.get('/alerts')).body as { status: string }).status, 'ok');
  vipd.signal('SIGTERM');
  t.equal(await vipd.exited, 0);
  t.equal(await exec('ipvsadm', '-Sn'), table, 'IPVS left as is on exit');
});
