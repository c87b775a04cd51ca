import t, { type Test } from 'tap';
import { join } from 'node:path';
import { needTools } from '../lab/need-tools.js';
import { createNetns, type Netns } from '../lab/netns.js';
import { sh, waitFor } from '../lab/proc.js';
import { ROUTER_BINARIES, startRouter, type Router } from '../lab/router.js';
import { bgpGlobal, freePort, legacyPool, tempDir, Vipd, writeFile } from '../integration/e2e-helpers.js';
import { fakeIpvsadm } from './lvs-fake-ipvsadm.js';

// Issue 11 item 10, "never announce a VIP this host would drop", with real parts: `vipd run` (the
// real ipvsadm driver) inside a network namespace the test made, so that its `lo` is the test's to
// change; BIRD in the root namespace as its BGP peer over the namespace's veth. IPVS is the
// fake-but-real ipvsadm of lvs-fake-ipvsadm.ts first on PATH (this kernel has no ip_vs): it keeps
// the table in a file and refuses, on demand, every line of one service.

interface Decision { prefix: string; announced: boolean; reason: string }
interface Alerts { status: string; msg: string }

const svc = (name: string, ip: string, pool: string) =>
  `[${name}]\nprotocol = tcp\nip = ${ip}\nport = 80\nscheduler = wrr\nconfig = file://${pool}\n`;

async function setup(t: Test, o: { services: [string, string][]; extra?: string[]; args?: string[]; onLo?: string[] }) {
  const fake = fakeIpvsadm();
  t.teardown(() => fake.cleanup());
  const before = process.env.PATH;
  process.env.PATH = `${fake.pathDir}:${before}`; // inherited by ip netns exec, then vipd
  t.teardown(() => { process.env.PATH = before; });
  const ns: Netns = await createNetns();
  t.teardown(() => ns.destroy());
  for (const ip of o.onLo ?? []) await sh('ip', ['-n', ns.name, 'addr', 'add', `${ip}/32`, 'dev', 'lo']);
  const router: Router = await startRouter({ kind: 'bird', routerIp: ns.hostIp, speakerIp: ns.nsIp, passive: true });
  t.teardown(() => router.stop());
  const dir = tempDir(t);
  writeFile(join(dir, 'web.pools'), legacyPool([{ host: '10.0.0.1' }]));
  const apiPort = await freePort(ns.hostIp); // a port number; the API listens inside the namespace
  const cfg = join(dir, 'vipd.conf');
  writeFile(cfg, bgpGlobal({ routers: [ns.hostIp], speaker: ns.nsIp, apiPort, extra: o.extra })
    + o.services.map(([name, ip]) => svc(name, ip, join(dir, 'web.pools'))).join('\n'));
  const vipd = new Vipd(cfg, `${ns.nsIp}:${apiPort}`, o.args ?? [], ['ip', 'netns', 'exec', ns.name]);
  t.teardown(() => vipd.stop());
  t.teardown(() => { if (!t.passing()) t.comment(vipd.tail(40), router.log().slice(-1500)); });
  await vipd.waitApi(15_000);
  const has = (p: string) => router.waitRib((rib) => rib.some((r) => r.prefix === p), 30_000);
  const lo = async () => sh('ip', ['-n', ns.name, '-o', 'addr', 'show', 'dev', 'lo']);
  return { fake, ns, router, vipd, has, lo };
}

t.test('a VIP that is not a local address, or whose service IPVS lacks, is withheld from the router until fixed', async (t) => {
  if (!needTools(t, 'ip', ...ROUTER_BINARIES.bird)) return;
  const fakeCtl = { refuseService: '10.2.1.3:80' };
  const { fake, ns, router, vipd, has } = await setup(t, {
    services: [['web', '10.2.1.1'], ['dns', '10.2.1.2'], ['mail', '10.2.1.3']], onLo: ['10.2.1.2', '10.2.1.3'],
  });
  fake.control(fakeCtl);
  const rib = await has('10.2.1.2/32'); // local and held by IPVS: announced
  t.same(rib.map((r) => r.prefix).sort(), ['10.2.1.2/32'], 'the router has only the VIP this host can serve');
  const vips = (await vipd.get('/vips')).body as Decision[];
  t.match(vips.find((v) => v.prefix === '10.2.1.1/32'), { announced: false, reason: 'withheld: 10.2.1.1 is not configured on this host' });
  t.match(vips.find((v) => v.prefix === '10.2.1.3/32'), { announced: false, reason: 'withheld: IPVS has no service 10.2.1.3:80/tcp' });
  const alerts = (await vipd.get('/alerts')).body as Alerts;
  t.equal(alerts.status, 'critical');
  t.match(alerts.msg, 'vip 10.2.1.1: VIP withheld: 10.2.1.1 is not configured on this host');
  t.match(alerts.msg, 'vip 10.2.1.3: VIP withheld: IPVS has no service 10.2.1.3:80/tcp');
  // The first batch failed (10.2.1.3's lines refused); its read-back showed 10.2.1.2 held, so that one went out.
  t.match(fake.table(), /^-A -t 10\.2\.1\.2:80 -s wrr$/m, 'IPVS holds 10.2.1.2');
  t.notMatch(fake.table(), /10\.2\.1\.3/, 'IPVS lacks 10.2.1.3');

  await sh('ip', ['-n', ns.name, 'addr', 'add', '10.2.1.1/32', 'dev', 'lo']);
  await has('10.2.1.1/32');
  t.pass('announced once the address is on lo (the 5 s check)');
  const after = (await vipd.get('/alerts')).body as Alerts;
  t.notMatch(after.msg, /vip 10\.2\.1\.1/, 'its alert is cleared');

  fake.control({}); // IPVS accepts the service again: the reconciler's retry adds it
  await router.waitRib((r) => r.some((x) => x.prefix === '10.2.1.3/32'), 45_000);
  t.pass('announced once IPVS holds its service');
  t.match(fake.table(), /^-A -t 10\.2\.1\.3:80 -s wrr$/m);
  t.same((await router.rib()).map((r) => r.prefix).sort(), ['10.2.1.1/32', '10.2.1.2/32', '10.2.1.3/32'], 'nothing else moved');
});

t.test('bind-vips = yes: vipd puts the VIP on lo, announces it, and takes it off lo on stop', async (t) => {
  if (!needTools(t, 'ip', ...ROUTER_BINARIES.bird)) return;
  const { router, vipd, has, lo } = await setup(t, { services: [['web', '10.2.1.1']], extra: ['bind-vips = yes'] });
  await has('10.2.1.1/32');
  t.match(await lo(), /inet 10\.2\.1\.1\/32 /, 'the VIP is on lo');
  t.ok(vipd.lines.some((l) => l.msg === 'bind-vips: added 10.2.1.1/32 to lo'));
  vipd.signal('SIGTERM');
  t.equal(await vipd.exited, 0);
  t.notMatch(await lo(), /10\.2\.1\.1/, 'removed from lo on a full stop');
  await router.waitRib((r) => !r.some((x) => x.prefix === '10.2.1.1/32'), 15_000);
  t.pass('withdrawn from the router');
});

t.test('dry run (-n): the check is logged, the VIP is not withheld', async (t) => {
  if (!needTools(t, 'ip', ...ROUTER_BINARIES.bird)) return;
  const { vipd, has } = await setup(t, { services: [['web', '10.2.1.1']], args: ['-n'] });
  await has('10.2.1.1/32');
  const line = await vipd.waitLog((l) => l.msg.startsWith('dry run: VIP would be withheld'), 5_000, 'dry-run check log');
  t.match(line.msg, /^dry run: VIP would be withheld: 10\.2\.1\.1 is not configured on this host/);
  t.equal(line.vip, '10.2.1.1');
  t.notMatch(((await vipd.get('/alerts')).body as Alerts).msg, /VIP withheld/);
});
