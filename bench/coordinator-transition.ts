// Coordinator cost per transition (issue 13 §1): CPU µs for one monitor transition, published
// (policy + the changed service's IPVS batch + its VIP's decision), with N realservers; also the
// cold start (every server's first result) and the coordinator's heap per realserver (§3).
// Run: `npx tsc -p tsconfig.bench.json && node --expose-gc build/bench/bench/coordinator-transition.js [servers...]`.
// `measureTransitionCost(servers)` is what `npm run bench:scale` calls.
import { pathToFileURL } from 'node:url';
import { Coordinator } from '../src/coordinator/coordinator.js';
import type { IpvsChanges, RouteSpec, ServiceSpec } from '../src/coordinator/types.js';
import { silentLogger } from '../src/log/logger.js';
import { FakeClock } from '../test/support/fake-clock.js';

const route: RouteSpec = { nextHopV4: '192.0.2.1', med: 0, withdrawPolicy: 'all-down', communities: [], largeCommunities: [], asPathPrepend: 0 };
const MONITORS = ['ProxyFetch', 'IdleConnection'];
const addr = (n: number): string => `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`;

interface Rig { c: Coordinator; clock: FakeClock; services: number; perService: number; batches: number; coldMs: number }

/** `servers` realservers in pools of `perService`, every server up after its first round (the cold start is timed). */
async function rig(servers: number, perService: number): Promise<Rig> {
  const clock = new FakeClock();
  const r: Rig = { c: undefined as unknown as Coordinator, clock, services: Math.ceil(servers / perService), perService, batches: 0, coldMs: 0 };
  r.c = new Coordinator({
    clock, log: silentLogger, health: { start: () => {}, stop: () => {} },
    ipvs: { applyChanges: (ch: IpvsChanges) => { r.batches += ch.services.length; } },
    speaker: { setAdvertised: () => {} }, resolver: async () => [], resolveIntervalMs: 0,
  });
  const specs: ServiceSpec[] = Array.from({ length: r.services }, (_, i) => ({
    name: `svc${i}`, ip: `10.250.${i >> 8}.${i & 255}`, port: 80, protocol: 'tcp', depoolThreshold: 0.5, monitors: MONITORS, bgp: true,
  }));
  const t0 = performance.now();
  r.c.configure(specs, route);
  for (let i = 0; i < r.services; i++) {
    const list = [];
    for (let j = i * perService; j < Math.min(servers, (i + 1) * perService); j++) list.push({ host: addr(j), weight: 10, enabled: true });
    await r.c.updatePool(`svc${i}`, list);
  }
  for (let n = 0; n < servers; n++) for (const m of MONITORS) r.c.monitorResult(`svc${Math.floor(n / perService)}`, addr(n), m, { up: true, reason: 'ok' });
  clock.advance(0);
  r.coldMs = performance.now() - t0;
  return r;
}

function cpuUs(f: () => void): number {
  const t0 = process.cpuUsage();
  f();
  const u = process.cpuUsage(t0);
  return u.user + u.system;
}

/** CPU µs per transition, each published on its own (no coalescing helps): a server goes down, later up. */
function transitions(r: Rig, servers: number, count: number): number {
  const step = (k: number): void => {
    const n = (Math.floor(k / 2) * 7919) % servers; // the same server goes down (k even), then up
    r.c.monitorResult(`svc${Math.floor(n / r.perService)}`, addr(n), 'ProxyFetch', { up: k % 2 === 1, reason: k % 2 ? 'ok' : 'refused' });
    r.clock.advance(0);
  };
  for (let k = 0; k < 2000; k++) step(k); // warm up (the JIT)
  const before = r.batches;
  const us = cpuUs(() => { for (let k = 2000; k < 2000 + count; k++) step(k); });
  if (r.batches - before < count / 2) throw new Error(`only ${r.batches - before} IPVS batches for ${count} transitions: the bench does not exercise publishing`);
  return us / count;
}

export interface TransitionCost {
  /** Pools of 100 realservers (the usual shape). */
  usPerTransition: number;
  /** All realservers in one pool (the worst case: the changed service is the whole table). */
  usPerTransitionOnePool: number;
  /** Cold start (configure, pools, every server's first results), ms, pools of 100. */
  coldStartMs: number;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;

/** Median of 3 runs of 4,000 transitions each (after 2,000 to warm up). */
export async function measureTransitionCost(servers: number): Promise<TransitionCost> {
  const count = 4000;
  const pools: number[] = [], one: number[] = [], cold: number[] = [];
  for (let run = 0; run < 3; run++) {
    const a = await rig(servers, 100);
    pools.push(transitions(a, servers, count));
    cold.push(a.coldMs);
    a.c.stop();
    const b = await rig(servers, servers);
    one.push(transitions(b, servers, count));
    b.c.stop();
  }
  return { usPerTransition: median(pools), usPerTransitionOnePool: median(one), coldStartMs: median(cold) };
}

/** Heap the coordinator holds per realserver (needs --expose-gc), pools of 100. */
export async function measureHeapPerServer(servers: number): Promise<number> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) return NaN;
  gc();
  const before = process.memoryUsage().heapUsed;
  const r = await rig(servers, 100);
  gc();
  const bytes = process.memoryUsage().heapUsed - before;
  r.c.stop();
  return bytes / servers;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const sizes = process.argv.slice(2).map(Number).filter((n) => n > 0);
  for (const n of sizes.length ? sizes : [1000, 10_000]) {
    const c = await measureTransitionCost(n);
    const heap = await measureHeapPerServer(n);
    console.log(`${n} realservers: ${c.usPerTransition.toFixed(1)} µs/transition (pools of 100), `
      + `${c.usPerTransitionOnePool.toFixed(1)} µs (one pool of ${n}); cold start ${c.coldStartMs.toFixed(0)} ms; `
      + `coordinator heap ${Number.isNaN(heap) ? '? (run with --expose-gc)' : `${(heap / 1024).toFixed(2)} KiB/server (${(heap * n / 1048576).toFixed(1)} MiB)`}`);
  }
}
