// The multi-balancer lab (issue 17 §1): three vipd instances (`dist/cli/main.js run -n`, build
// first), each in its own namespace on one LAN with FRR and BIRD (iBGP between them), the pool in
// one real etcd, HTTP backends in the root namespace.
// - ECMP: every router's FIB holds one next hop per healthy balancer for the VIP (FRR
//   `maximum-paths` through zebra, BIRD `merge paths` through its kernel protocol); a balancer
//   whose backends all fail leaves the multipath set, and comes back;
// - MED: primary 0, backups 10 and 20: the routers pick the primary; its planned stop (SIGUSR1 full
//   stop; SIGTERM, graceful restart off) moves the VIP to the backup within 2 s; a crash (frozen
//   process; link cut) within about the BFD detection time (100 ms x 3).
import t from 'tap';
import { existsSync } from 'node:fs';
import { needTools } from '../lab/need-tools.js';
import { sh, waitFor } from '../lab/proc.js';
import { startFleet, type Fleet } from '../lab/fleet/fleet.js';
import { balancerConfig, FLEET_VIP, startBalancerVipd } from '../lab/fleet/fleet-vipd.js';
import { findTool } from '../support/require-tool.js';
import { requireBfdNative } from '../support/bfd-native.js';
import { Backend, tempDir, type Vipd } from './e2e-helpers.js';
import { peerViews } from './bfd-helpers.js';

const PREFIX = '/conftool/v1/pools/lab/text/web/';
const VIP = `${FLEET_VIP}/32`;
const BFD = { intervalMs: 100, multiplier: 3 };
const PORT = 8080;
const TOOLS = ['ip', 'etcd', '/usr/lib/frr/bgpd', '/usr/lib/frr/zebra', '/usr/lib/frr/bfdd', 'vtysh', 'bird', 'birdc'];

/** Both routers' FIBs hold exactly `want` (balancer addresses) as next hops for the VIP; the ms it took. */
async function fibIs(fleet: Fleet, want: string[], timeoutMs: number, what: string): Promise<number> {
  const t0 = performance.now();
  const sorted = [...want].sort().join(',');
  await waitFor(`${what}: FIBs = [${sorted}]`, timeoutMs, async () => {
    for (const r of fleet.routers) if ((await r.fib(VIP)).join(',') !== sorted) return false;
    return true;
  }, 10);
  return performance.now() - t0;
}

async function fibs(fleet: Fleet): Promise<string> {
  const out: string[] = [];
  for (const r of fleet.routers) out.push(`${r.kind}: [${(await r.fib(VIP).catch((e: Error) => [e.message])).join(', ')}]`);
  return out.join('; ');
}

t.test('multi-balancer lab: 3 vipd, FRR and BIRD, one etcd', async (t) => {
  if (!needTools(t, ...TOOLS) || !requireBfdNative(t)) return;
  if (!existsSync('dist/cli/main.js')) { t.fail('dist/cli/main.js missing: npx tsc -p tsconfig.build.json'); return; }
  const fleet = await startFleet({ balancers: 3, etcdBin: findTool('etcd')!, bfd: BFD });
  t.teardown(() => fleet.stop());
  const dir = tempDir(t);
  const hosts = [await fleet.lan.hostAlias(0), await fleet.lan.hostAlias(1)];
  for (const h of hosts) {
    const b = new Backend(h, [PORT]);
    await b.start();
    t.teardown(() => b.kill());
    await fleet.etcd.put(PREFIX + h, JSON.stringify({ pooled: 'yes', weight: 10 }));
  }
  const running = new Map<number, Vipd>();
  t.teardown(async () => { for (const v of running.values()) { v.signal('SIGCONT'); await v.stop(); } });
  const start = (i: number, med: number): Vipd => {
    const v = startBalancerVipd(fleet, i, balancerConfig(fleet, fleet.balancers[i]!, { med, poolPrefix: PREFIX, port: PORT, bfd: BFD }), dir);
    running.set(i, v);
    return v;
  };
  const stopped = async (i: number): Promise<void> => { await running.get(i)?.exited; running.delete(i); };
  const ips = fleet.balancers.map((b) => b.ip);
  t.teardown(async () => {
    if (t.passing()) return;
    t.comment(await fibs(fleet));
    for (const [i, v] of running) t.comment(`bal${i + 1}:\n${v.tail(20)}`);
    for (const r of fleet.routers) t.comment(`${r.kind}:\n${r.log().slice(-3000)}`);
  });

  await t.test('ECMP: one path per healthy balancer; all backends failing leaves the set', async (t) => {
    for (let i = 0; i < 3; i++) start(i, 0);
    const ms = await fibIs(fleet, ips, 30_000, 'three balancers up');
    t.comment(`3 balancers started and in both FIBs in ${ms.toFixed(0)} ms`);
    t.pass(`both FIBs: ${await fibs(fleet)}`);
    const frrPaths = (await fleet.frr.paths(VIP)).filter((p) => !p.ibgp);
    t.same(frrPaths.map((p) => p.nextHop).sort(), ips, 'FRR RIB: one eBGP path per balancer');
    t.ok(frrPaths.every((p) => p.med === 10), 'each with MED 0 + 10 (import policy)');
    // the routers exchange the LVS routes over iBGP (ROUTERS.md)
    t.ok((await fleet.frr.paths(VIP)).some((p) => p.ibgp && ips.includes(p.nextHop)), 'FRR also learned the VIP from BIRD over iBGP');
    t.ok((await fleet.bird.paths(VIP)).some((p) => p.ibgp && ips.includes(p.nextHop)), 'BIRD also learned the VIP from FRR over iBGP');

    // balancer 3 can no longer reach any backend: every check fails, it withdraws the VIP
    const bal3 = fleet.balancers[2]!;
    for (const h of hosts) await sh('ip', ['-n', bal3.netns, 'route', 'add', 'unreachable', `${h}/32`]);
    await fibIs(fleet, ips.slice(0, 2), 10_000, 'balancer 3 without backends');
    t.pass(`balancer 3 left the multipath set: ${await fibs(fleet)}`);
    for (const h of hosts) await sh('ip', ['-n', bal3.netns, 'route', 'del', 'unreachable', `${h}/32`]);
    await fibIs(fleet, ips, 10_000, 'balancer 3 healthy again');
    t.pass('and came back once its backends answered');
    // balancers 2 and 3 leave (full stop) for the MED test; balancer 1 (MED 0) stays
    for (const i of [1, 2]) running.get(i)!.signal('SIGUSR1');
    for (const i of [1, 2]) await stopped(i);
    await fibIs(fleet, [ips[0]!], 5000, 'balancers 2 and 3 stopped');
  });

  await t.test('MED: primary 0, backups 10 and 20; planned stops and crashes move the VIP', async (t) => {
    const meds = [0, 10, 20];
    const upAll = async (what: string): Promise<void> => {
      for (let i = 0; i < 3; i++) if (!running.has(i)) start(i, meds[i]!);
      await waitFor(`${what}: every session Established`, 30_000, async () => (await Promise.all([0, 1, 2].map((i) => fleet.sessionsUp(i)))).every(Boolean));
      await fibIs(fleet, [ips[0]!], 30_000, `${what}: the primary carries the VIP`);
      // a crash is noticed by BFD only once BFD is Up
      await waitFor(`${what}: the primary's BFD sessions Up`, 10_000, async () => {
        const peers = await peerViews(running.get(0)!);
        return peers.length === 2 && peers.every((p) => p.bfd?.state === 'Up');
      });
      // every balancer announces: the backups' paths are in both RIBs, not best
      await waitFor(`${what}: backups' paths in the RIBs`, 10_000, async () => {
        for (const r of fleet.routers) {
          const hops = new Set((await r.paths(VIP)).filter((p) => !p.ibgp).map((p) => p.nextHop));
          if (!ips.every((ip) => hops.has(ip))) return false;
        }
        return true;
      });
    };
    let t0 = performance.now();
    await upAll('start');
    t.comment(`3 balancers up, primary carrying the VIP, in ${(performance.now() - t0).toFixed(0)} ms`);
    const frrBest = (await fleet.frr.paths(VIP)).find((p) => p.best);
    t.same({ nextHop: frrBest?.nextHop, med: frrBest?.med }, { nextHop: ips[0], med: 10 }, 'FRR picks the primary (MED 0 + 10)');
    t.pass(`only the primary in the FIBs: ${await fibs(fleet)}`);

    for (const sig of ['SIGUSR1', 'SIGTERM'] as const) {
      const v = running.get(0)!;
      t0 = performance.now();
      v.signal(sig);
      await fibIs(fleet, [ips[1]!], 5000, `${sig} on the primary`);
      const ms = performance.now() - t0;
      t.ok(ms < 2000, `${sig} (planned stop): the VIP moved to the backup (MED 10) on both routers in ${ms.toFixed(0)} ms`);
      t.equal(await v.exited, 0, `${sig}: exit 0`);
      running.delete(0);
      t0 = performance.now();
      await upAll(`after ${sig}`);
      t.comment(`primary back in ${(performance.now() - t0).toFixed(0)} ms`);
    }

    const crashes: [string, (v: Vipd) => Promise<void>, (v: Vipd) => Promise<void>][] = [
      ['frozen (SIGSTOP)', async (v) => { v.signal('SIGSTOP'); }, async (v) => { v.signal('SIGKILL'); v.signal('SIGCONT'); }],
      ['link cut', () => fleet.lan.setLink(fleet.balancers[0]!, false), async (v) => { v.signal('SIGKILL'); await fleet.lan.setLink(fleet.balancers[0]!, true); }],
    ];
    for (const [what, crash, recover] of crashes) {
      const v = running.get(0)!;
      t0 = performance.now();
      await crash(v);
      await fibIs(fleet, [ips[1]!], 5000, `primary ${what}`);
      const ms = performance.now() - t0;
      t.ok(ms <= 1000, `primary ${what}: the VIP moved to the backup on both routers in ${ms.toFixed(0)} ms (BFD ${BFD.intervalMs} ms x ${BFD.multiplier}; hold time 30 s)`);
      await recover(v);
      await stopped(0);
      await upAll(`after ${what}`);
    }
  });
});
