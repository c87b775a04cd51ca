import t from 'tap';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { needTools } from '../lab/need-tools.js';
import { ROUTER_BINARIES } from '../lab/router.js';
import { bgpGlobal, freePort, frrBeside, Vipd, webService, writeFile } from './e2e-helpers.js';

// Issue 16 §4: `vipd fleet --instances` (the CLI, built) against `vipd run` peering a real FRR:
// ANNOUNCED is "yes" with the Established peer while FRR has the route, "no" after an instance
// depool took it out of FRR's RIB; a second URL that does not answer is named, exit 1.

const run = promisify(execFile);
const TOKEN = 'ops-fleet-token-0123456789';

t.test('vipd fleet --instances: announced to an Established peer, then not after an instance depool', async (t) => {
  if (!needTools(t, ...ROUTER_BINARIES.frr)) return;
  const { lo, dir, router, port } = await frrBeside(t, 1);
  writeFile(join(dir, 'tokens'), `ops:${TOKEN}\n`);
  await run('chmod', ['600', join(dir, 'tokens')]);
  const apiPort = await freePort(lo.speaker);
  const cfg = join(dir, 'vipd.conf');
  writeFile(cfg, `${bgpGlobal({ routers: [router.ip], speaker: lo.speaker, apiPort, extra: [`admin-token-file = ${dir}/tokens`, `state-file = ${dir}/state.json`] })}
${webService(port, `${dir}/web.pools`, ['monitors = [ "IdleConnection" ]'])}`);
  const url = `http://${lo.speaker}:${apiPort}/`;
  const dead = `http://127.0.0.1:${await freePort('127.0.0.1')}/`;
  const cli = (args: string[]) => run(process.execPath, ['dist/cli/main.js', ...args], { timeout: 20_000 })
    .then((r) => ({ code: 0, ...r }), (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }));
  const hasVip = (rib: { prefix: string }[]) => rib.some((x) => x.prefix === '10.2.1.1/32');

  const vipd = new Vipd(cfg, `${lo.speaker}:${apiPort}`);
  t.teardown(() => vipd.stop());
  t.teardown(() => { if (!t.passing()) t.comment(vipd.tail(40)); });
  await router.waitRib(hasVip, 20_000);

  const on = await cli(['fleet', '--instances', url, '--json']);
  t.equal(on.code, 0, on.stderr);
  const j = JSON.parse(on.stdout) as { vips: Array<{ vip: string; services: string[]; balancers: Array<Record<string, unknown>> }>; balancers: Array<{ established: string[] }> };
  t.match(j.vips, [{ vip: '10.2.1.1/32', services: ['web'], balancers: [{ announced: 'yes', peers: [router.ip], traffic: 'unknown', serving: false }] }],
    'announced to FRR; no counters metric on this branch: traffic unknown');
  t.same(j.balancers[0]?.established, [router.ip]);

  const both = await cli(['fleet', '--instances', `${url},${dead}`]);
  t.equal(both.code, 1, 'a balancer that does not answer: exit 1');
  t.match(both.stdout, new RegExp(`^10\\.2\\.1\\.1/32\\s+${lo.speaker.replace(/\./g, '\\.')}:${apiPort}\\s+yes\\s+${router.ip.replace(/\./g, '\\.')}\\s+unknown\\s+\\?$`, 'm'));
  t.match(both.stdout, /127\.0\.0\.1:\d+ \(http:\/\/127\.0\.0\.1:\d+\/\): unreachable: /);

  const dep = await cli(['depool', '--instance', '--reason', 'maintenance', '--url', url, '--token-file', join(dir, 'tokens')]);
  t.equal(dep.code, 0, dep.stderr);
  await router.waitRib((rib) => !hasVip(rib), 20_000);
  const off = await cli(['fleet', '--instances', url]);
  t.match(off.stdout, /^10\.2\.1\.1\/32\s+\S+\s+no\s+-\s+unknown\s+-$/m, 'withdrawn: not announced');
});
