import t, { type Test } from 'tap';
import { join } from 'node:path';
import { existsSync, mkdirSync } from 'node:fs';
import { needTools } from '../lab/need-tools.js';
import { loopbackBlock } from '../lab/netns.js';
import { ROUTER_BINARIES, type Router } from '../lab/router.js';
import { Backend, bgpGlobal, freePort, legacyPool, tempDir, Vipd, webService, writeFile } from './e2e-helpers.js';
import { dryRunTable, plannedRestarts, RibWatch, startGrRouters, waitSessionsUp } from './graceful-restart-helpers.js';

// Issue 14 §1 against FRR, BIRD and GoBGP as RFC 4724 helpers (FRR and GoBGP with RFC 8538's N
// bit): across planned restarts (SIGTERM, start again) no RIB poll misses the VIP and IPVS is not
// touched by the stops; a VIP that went down while vipd was stopped leaves with End-of-RIB; SIGUSR1
// withdraws at once. IPVS is the dry-run driver: this machine's kernel has no IPVS.

const RESTARTS = Number(process.env.GR_RESTARTS ?? 10);
const VIP = '10.2.1.1/32';
const VIP2 = '10.2.1.2/32';
const MONITOR = ['monitors = [ "ProxyFetch" ]', "proxyfetch.url = [ 'http://web.example.org/' ]", 'proxyfetch.interval = 1', 'proxyfetch.timeout = 0.9'];

async function setup(t: Test) {
  const lo = loopbackBlock();
  const dir = tempDir(t);
  const stateDir = join(dir, 'state');
  const routers = await startGrRouters(lo, (r) => t.teardown(() => r.stop()));
  const port = await freePort(lo.speaker);
  const backends = [new Backend(lo.router(10), [port]), new Backend(lo.router(11), [port])];
  for (const b of backends) { await b.start(); t.teardown(() => b.kill()); }
  writeFile(join(dir, 'web.pools'), legacyPool([{ host: lo.router(10) }]));
  writeFile(join(dir, 'api.pools'), legacyPool([{ host: lo.router(11) }]));
  const apiPort = await freePort(lo.speaker);
  const cfg = join(dir, 'vipd.conf');
  writeFile(cfg, `${bgpGlobal({ routers: routers.map((r) => r.ip), speaker: lo.speaker, apiPort, extra: ['bgp-graceful-restart = yes', 'bgp-graceful-restart-time = 60'] })}
${webService(port, `${dir}/web.pools`, MONITOR)}
${webService(port, `${dir}/api.pools`, MONITOR).replace('[web]', '[api]').replace('ip = 10.2.1.1', 'ip = 10.2.1.2')}`);
  const all: Vipd[] = [];
  const make = (): Vipd => {
    const v = new Vipd(cfg, `${lo.speaker}:${apiPort}`, ['-n', '--state-dir', stateDir]);
    all.push(v);
    return v;
  };
  t.teardown(async () => { for (const v of all) await v.stop(); });
  t.teardown(() => { if (!t.passing()) t.comment(all.at(-1)?.tail(60) ?? ''); });
  mkdirSync(stateDir);
  return { lo, routers, backends, make, stateDir };
}

const hasBoth = (r: Router) => r.waitRib((rib) => rib.some((x) => x.prefix === VIP) && rib.some((x) => x.prefix === VIP2), 20_000);

t.test('planned restarts keep the VIPs in every RIB; IPVS untouched by the stops; SIGUSR1 withdraws at once', async (t) => {
  if (!needTools(t, ...ROUTER_BINARIES.frr, ...ROUTER_BINARIES.bird, ...ROUTER_BINARIES.gobgp)) return;
  const { routers, make, stateDir } = await setup(t);
  const first = make();
  await waitSessionsUp(first, routers, 20_000);
  for (const r of routers) await hasBoth(r);
  t.notOk(first.lines.some((l) => /R bit set/.test(l.msg)), 'first start: not a restart');
  const table = await dryRunTable(first, ['10.2.1.1', '10.2.1.2'], 10_000);
  t.equal(table.length, 4, 'two services, one real server each');

  const watches = routers.map((r) => new RibWatch(r, VIP));
  for (const w of watches) { t.teardown(() => w.stop()); w.start(); } // a failed step must not leave the pollers running
  const tables: string[][] = [];
  const { vipd, codes, stopped } = await plannedRestarts(first, make, routers, RESTARTS, async (_i, v) => {
    tables.push(await dryRunTable(v, ['10.2.1.1', '10.2.1.2'], 10_000));
  });
  for (const w of watches) await w.stop();
  for (const w of watches) {
    t.comment(w.summary());
    t.equal(w.missing, 0, `${w.router.kind}: the VIP never missing across ${RESTARTS} restarts`);
    t.ok(w.polls >= RESTARTS * 10, `${w.router.kind}: polled throughout (${w.polls} polls)`);
  }
  t.same(codes, new Array(RESTARTS).fill(0), 'every planned stop exits 0');
  t.ok(vipd.lines.some((l) => /R bit set in the first OPENs/.test(l.msg)), 'a restart sets the R bit');
  t.ok(existsSync(join(stateDir, 'bgp-graceful-restart')), 'the marker is there while vipd runs');
  t.ok(tables.every((x) => JSON.stringify(x) === JSON.stringify(table)), 'the same IPVS table after every restart');
  t.ok(stopped.every((s) => s.vipd.batches(s.signalledAt).length === 0), 'no IPVS change at any planned stop');
  // RFC 8538: FRR and GoBGP set the N bit, so the planned stop says why with Cease 6/4; BIRD 2.0 does not: close only
  const stop0 = stopped[0]!;
  for (const r of routers) {
    const sent = stop0.vipd.lines.slice(stop0.signalledAt).filter((l) => l.msg === 'NOTIFICATION sent' && l.peer === r.ip).map((l) => `${l.code}/${l.subcode}`);
    t.same(sent, r.kind === 'bird' ? [] : ['6/4'], `${r.kind}: NOTIFICATION at the planned stop`);
  }

  const sigterm = vipd.lines.length;
  vipd.signal('SIGUSR1');
  const t0 = Date.now();
  for (const r of routers) await r.waitRib((rib) => !rib.some((x) => x.prefix === VIP || x.prefix === VIP2), 5_000);
  t.comment(`SIGUSR1 → both VIPs gone from the three RIBs in ${Date.now() - t0} ms`);
  t.equal(await vipd.exited, 0);
  t.same(vipd.batches(sigterm), [], 'no IPVS change at the stop');
  t.notOk(existsSync(join(stateDir, 'bgp-graceful-restart')), 'a full stop removes the marker');
});

t.test('a VIP that went down while vipd was stopped is gone after End-of-RIB; the other one never left', async (t) => {
  if (!needTools(t, ...ROUTER_BINARIES.frr, ...ROUTER_BINARIES.bird, ...ROUTER_BINARIES.gobgp)) return;
  const { routers, backends, make } = await setup(t);
  const first = make();
  await waitSessionsUp(first, routers, 20_000);
  for (const r of routers) await hasBoth(r);
  const watches = routers.map((r) => new RibWatch(r, VIP));
  for (const w of watches) { t.teardown(() => w.stop()); w.start(); } // a failed step must not leave the pollers running
  first.signal('SIGTERM');
  t.equal(await first.exited, 0);
  for (const r of routers) t.ok((await r.rib()).some((x) => x.prefix === VIP2), `${r.kind}: VIP2 kept as stale while vipd is stopped`);
  await backends[1]!.kill();
  const second = make();
  await waitSessionsUp(second, routers, 20_000);
  for (const r of routers) {
    await r.waitRib((rib) => !rib.some((x) => x.prefix === VIP2), 10_000);
    t.pass(`${r.kind}: VIP2 dropped after End-of-RIB`);
  }
  for (const w of watches) await w.stop();
  for (const w of watches) t.equal(w.missing, 0, `${w.summary()}`);
});
