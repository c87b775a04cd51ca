// Issue 13 §1: after any sequence of monitor results, pool edits, resolve results and reloads,
// what the incremental coordinator handed to IPVS and to the speaker equals a from-scratch
// computation over the same server states (test/support/coordinator.reference.ts). Issue 15:
// operator overrides (depool, drain, pin, instance) set and cleared at random are applied from
// scratch by the reference with overrides-apply's pure functions.
import t from 'tap';
import fc from 'fast-check';
import { FakeClock } from '../../test/support/fake-clock.js';
import { recordingIpvs } from '../../test/support/recording-ipvs.js';
import { latchFirstRounds, referenceTable, referenceVips } from '../../test/support/coordinator.reference.js';
import { silentLogger } from '../log/logger.js';
import { Coordinator } from './coordinator.js';
import { NO_OVERRIDES, withOverride, withoutOverride, type OverrideSet, type OverrideState } from './overrides.js';
import type { InstanceRouting } from './overrides-apply.js';
import type { PoolServer, Route, RouteSpec, ServiceSpec } from './types.js';

const HOSTS = ['10.0.0.1', '10.0.0.2', '10.0.0.3', '10.0.0.4', '10.0.0.5', 'be-a', 'be-b'];
const ADDRS = [undefined, ['10.0.9.1'], ['10.0.9.2']];
const MONITORS = [['ProxyFetch'], ['ProxyFetch', 'IdleConnection'], ['IdleConnection']];
const NAMES = ['web', 'api', 'dns', 'mail'];
const VIPS = ['10.2.1.1', '10.2.1.2'];

const route = (withdrawPolicy: RouteSpec['withdrawPolicy'], med: number): RouteSpec => ({
  nextHopV4: '192.0.2.10', med, withdrawPolicy, communities: [65000 << 16 | 1], largeCommunities: [], asPathPrepend: 0,
});

const specArb = fc.record({
  ip: fc.constantFrom(...VIPS), port: fc.constantFrom(80, 443), threshold: fc.constantFrom(0, 0.3, 0.5, 0.75, 1),
  monitors: fc.nat(MONITORS.length - 1), bgp: fc.boolean(), med: fc.option(fc.nat(50), { nil: undefined }),
  policy: fc.option(fc.constantFrom('all-down' as const, 'below-threshold' as const, 'never' as const), { nil: undefined }),
});
type SpecDraw = typeof specArb extends fc.Arbitrary<infer T> ? T : never;
const serverArb = fc.record({ host: fc.constantFrom(...HOSTS), weight: fc.nat(20), enabled: fc.boolean(), port: fc.option(fc.constantFrom(8080), { nil: undefined }) });

type Op =
  | { kind: 'result'; svc: number; host: number; monitor: number; up: boolean; tick: boolean }
  | { kind: 'pool'; svc: number; list: { host: string; weight: number; enabled: boolean; port: number | undefined }[] }
  | { kind: 'configure'; specs: ({ on: boolean } & SpecDraw)[]; policy: RouteSpec['withdrawPolicy']; med: number }
  | { kind: 'dns'; host: number; addr: number }
  | { kind: 'withhold'; vip: number | null }
  | { kind: 'override'; svc: number; host: number; state: OverrideState | null }
  | { kind: 'instance'; phase: 'graceful' | 'withdrawn' | null };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 10, arbitrary: fc.record({ kind: fc.constant('result' as const), svc: fc.nat(3), host: fc.nat(HOSTS.length - 1), monitor: fc.nat(1), up: fc.boolean(), tick: fc.boolean() }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('pool' as const), svc: fc.nat(3), list: fc.array(serverArb, { maxLength: 6 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('configure' as const), specs: fc.array(fc.record({ on: fc.boolean() }).chain((o) => specArb.map((s) => ({ ...o, ...s }))), { minLength: 4, maxLength: 4 }), policy: fc.constantFrom('all-down' as const, 'below-threshold' as const, 'never' as const), med: fc.nat(20) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('dns' as const), host: fc.nat(1), addr: fc.nat(ADDRS.length - 1) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('withhold' as const), vip: fc.option(fc.nat(VIPS.length - 1), { nil: null }) }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('override' as const), svc: fc.nat(3), host: fc.nat(HOSTS.length - 1), state: fc.constantFrom('depooled' as const, 'drained' as const, 'pooled' as const, null) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('instance' as const), phase: fc.constantFrom('graceful' as const, 'withdrawn' as const, null) }) },
);

async function run(ops: Op[]): Promise<string | null> {
  const clock = new FakeClock();
  const rec = recordingIpvs();
  let routes: Route[] = [];
  const dns: Record<string, string[] | undefined> = { 'be-a': ['10.0.9.1'] };
  const c = new Coordinator({
    clock, log: silentLogger, health: { start: () => {}, stop: () => {} }, ipvs: rec.port,
    speaker: { setAdvertised: (r) => { routes = r; } },
    resolver: async (host) => { const a = dns[host]; if (!a) throw new Error('NXDOMAIN'); return a; },
    resolveIntervalMs: 0, resolveLimits: { negativeTtlMs: 0 },
  });
  let specs: ServiceSpec[] = [];
  let rt = route('all-down', 0);
  let withheld = new Map<string, string>();
  const settled = new Set<string>();
  const firstDone = new Set<string>();
  let set: OverrideSet = NO_OVERRIDES;
  let instance: InstanceRouting = null;
  const check = (i: number): string | null => {
    const table = [...rec.current.values()];
    const sent = routes;
    const st = c.status(true);
    const vips = c.status().vips;
    latchFirstRounds(st, firstDone);
    const want = referenceTable(st, set);
    const byName = (xs: { service: string }[]) => [...xs].sort((a, b) => a.service.localeCompare(b.service));
    if (JSON.stringify(byName(table)) !== JSON.stringify(byName(want))) return `step ${i}: IPVS ${JSON.stringify(table)} ≠ ${JSON.stringify(want)}`;
    const ref = referenceVips(specs, st, rt, settled, firstDone, withheld, set, instance);
    if (JSON.stringify(sent) !== JSON.stringify(ref.routes)) return `step ${i}: routes ${JSON.stringify(sent)} ≠ ${JSON.stringify(ref.routes)}`;
    if (JSON.stringify(vips) !== JSON.stringify(ref.decisions)) return `step ${i}: decisions ${JSON.stringify(vips)} ≠ ${JSON.stringify(ref.decisions)}`;
    for (const p of st.pools) if (p.firstRoundDone !== firstDone.has(p.name)) return `step ${i}: ${p.name} firstRoundDone ${p.firstRoundDone}`;
    return null;
  };
  for (const [i, op] of ops.entries()) {
    if (op.kind === 'result') {
      const svc = specs[op.svc % Math.max(1, specs.length)];
      if (!svc) continue;
      c.monitorResult(svc.name, HOSTS[op.host]!, svc.monitors[op.monitor % svc.monitors.length]!, { up: op.up, reason: op.up ? 'ok' : 'refused' });
      if (!op.tick) continue; // several results in one tick: published together
    } else if (op.kind === 'pool') {
      const svc = specs[op.svc % Math.max(1, specs.length)];
      if (!svc) continue;
      await c.updatePool(svc.name, op.list.map((s): PoolServer => ({ host: s.host, weight: s.weight, enabled: s.enabled, ...(s.port !== undefined ? { port: s.port } : {}) })));
    } else if (op.kind === 'configure') {
      const old = specs;
      specs = op.specs.flatMap((s, k) => s.on ? [{
        name: NAMES[k]!, ip: s.ip, port: s.port, protocol: 'tcp' as const, depoolThreshold: s.threshold, monitors: MONITORS[s.monitors]!, bgp: s.bgp,
        poolMaxRemoval: 1, poolRemovalHoldMs: 0, ...(s.med !== undefined ? { med: s.med } : {}), ...(s.policy ? { withdrawPolicy: s.policy } : {}),
      }] : []);
      rt = route(op.policy, op.med);
      // A service whose address changes is a new service: its first round starts over.
      for (const name of [...firstDone]) {
        const next = specs.find((x) => x.name === name);
        const was = old.find((x) => x.name === name)!;
        if (!next || next.ip !== was.ip || next.port !== was.port) firstDone.delete(name);
      }
      c.configure(specs, rt);
    } else if (op.kind === 'dns') {
      dns[['be-a', 'be-b'][op.host]!] = ADDRS[op.addr];
      await c.reresolve();
    } else if (op.kind === 'override') {
      // An override may name a service that is not configured (now): it waits for it.
      const pool = NAMES[op.svc]!, host = HOSTS[op.host]!;
      set = op.state === null ? withoutOverride(set, pool, host)
        : withOverride(set, { pool, host, state: op.state, reason: 'test', author: 'prop', since: '2026-12-06T10:00:00.000Z', expires: null, forced: false });
      c.setOverrides(set, instance);
    } else if (op.kind === 'instance') {
      instance = op.phase === null ? null : { phase: op.phase, reason: 'maintenance' };
      c.setOverrides(set, instance);
    } else {
      withheld = op.vip === null ? new Map() : new Map([[VIPS[op.vip]!, 'not configured on this host']]);
      c.withholdVips(withheld);
    }
    clock.advance(0);
    const bad = check(i);
    if (bad) { c.stop(); return bad; }
  }
  c.stop();
  return null;
}

t.test('incremental publish = from-scratch computation after any sequence of events', async (t) => {
  await fc.assert(fc.asyncProperty(fc.array(opArb, { minLength: 1, maxLength: 60 }), async (ops) => {
    const start: Op[] = [
      { kind: 'configure', specs: [0, 1, 2, 3].map((k) => ({ on: true, ip: VIPS[k % 2]!, port: 80, threshold: 0.5, monitors: k % 3, bgp: true, med: undefined, policy: undefined })), policy: 'all-down', med: 0 },
      ...[0, 1, 2, 3].map((svc): Op => ({ kind: 'pool', svc, list: HOSTS.map((host) => ({ host, weight: 10, enabled: true, port: undefined })) })),
      // Every server up by every monitor: the VIPs are announced before the random steps (an instance depool has routes to take).
      ...[0, 1, 2, 3].flatMap((svc) => HOSTS.flatMap((_, host) => [0, 1].map((monitor): Op => ({ kind: 'result', svc, host, monitor, up: true, tick: false })))),
    ];
    const bad = await run([...start, ...ops]);
    if (bad) throw new Error(bad);
  }), { numRuns: Number(process.env.PROPERTY_RUNS ?? 300), seed: process.env.PROPERTY_SEED ? Number(process.env.PROPERTY_SEED) : undefined });
  t.pass('no counterexample');
});
