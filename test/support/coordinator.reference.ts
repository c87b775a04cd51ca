/**
 * The coordinator's outputs computed from scratch (issue 13 §1's property test): the whole IPVS
 * table and every VIP decision from the current server states, as the coordinator did before it
 * became incremental. Counts are recounted here; only the pure rules (vip-inputs, vip-policy,
 * overrides-apply) are shared. `st` is health's own status (`status(true)`): overrides are applied here.
 */
import { newPool, recount } from '../../src/coordinator/depool-policy.js';
import { NO_OVERRIDES, type OverrideSet } from '../../src/coordinator/overrides.js';
import { applyInstance, effectivePool, poolForVips, type InstanceRouting } from '../../src/coordinator/overrides-apply.js';
import type { CoordinatorStatus, PoolStatus } from '../../src/coordinator/status.js';
import type { DesiredService, Route, RouteSpec, ServerState, ServiceSpec } from '../../src/coordinator/types.js';
import { buildVipInputs } from '../../src/coordinator/vip-inputs.js';
import { decideVips, type VipDecision } from '../../src/coordinator/vip-policy.js';

/** Every delivered service (the callers await each pool update, so delivered = resolved) with its pooled, addressed servers. */
export function referenceTable(st: CoordinatorStatus, set: OverrideSet = NO_OVERRIDES): DesiredService[] {
  return st.pools.filter((p) => p.delivered).map((p) => {
    const eff = effectivePool(p.name, p.depoolThreshold, p.servers, set);
    return {
      service: p.name,
      realServers: p.servers.filter((s) => eff.get(s.host)!.inIpvs && s.ip !== null)
        .map((s) => ({ host: s.host, ip: s.ip!, port: s.port, weight: eff.get(s.host)!.weight })),
    };
  });
}

/** A service's first round is done once every ready server has a result from every monitor (a latch kept in `done`). */
export function latchFirstRounds(st: CoordinatorStatus, done: Set<string>): void {
  for (const name of [...done]) if (!st.pools.some((p) => p.name === name)) done.delete(name);
  for (const p of st.pools) {
    if (p.delivered && p.servers.every((s) => !s.ready || s.monitors.every((m) => m.up !== null))) done.add(p.name);
  }
}

function poolOf(p: PoolStatus) {
  const pool = newPool(p.depoolThreshold);
  for (const s of p.servers) {
    const st: ServerState = {
      host: s.host, weight: s.weight, enabled: s.enabled, ready: s.ready, resolving: false, ip: s.ip, up: s.up, pooled: s.pooled, monitors: [], entry: null, seq: 0,
    };
    pool.servers.set(s.host, st);
  }
  pool.counts = recount(pool);
  return pool;
}

/** Routes and decisions for every VIP from scratch; `settled` is the reference's own latch, kept across calls. */
export function referenceVips(
  specs: ServiceSpec[], st: CoordinatorStatus, route: RouteSpec, settled: Set<string>, firstDone: Set<string>,
  withheld: ReadonlyMap<string, string>, set: OverrideSet = NO_OVERRIDES, instance: InstanceRouting = null,
): { routes: Route[]; decisions: VipDecision[] } {
  // In the coordinator's own order of services (status order), as its VIP groups are.
  const views = st.pools.map((p) => {
    const spec = specs.find((x) => x.name === p.name)!;
    return { spec, pool: poolForVips(p.name, poolOf(p), set), firstRoundDone: firstDone.has(spec.name) };
  });
  return applyInstance(decideVips(buildVipInputs(views, route, settled, withheld), route), instance);
}
