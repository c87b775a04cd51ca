/**
 * Overrides applied to what the coordinator publishes and shows, pure: the realservers for IPVS,
 * the routes for BGP under an instance depool, and the status the API renders.
 */
import { GRACEFUL_SHUTDOWN } from '../speaker/index.js';
import { effectiveServer, overrideIndex, type OverrideSet } from './overrides.js';
import type { PoolStatus } from './status.js';
import type { Route, ServerState } from './types.js';
import type { VipDecision } from './vip-policy.js';

/**
 * An instance depool on the way out: `graceful` re-announces every VIP with GRACEFUL_SHUTDOWN
 * (RFC 8326 §4: routers prefer other paths first), `withdrawn` announces none.
 */
export type InstanceRouting = { phase: 'graceful' | 'withdrawn'; reason: string } | null;

/** The servers of one pool that go to IPVS, with their effective weight. */
export function effectiveServers(pool: string, servers: Iterable<ServerState>, set: OverrideSet): { s: ServerState; weight: number }[] {
  const idx = overrideIndex(set);
  const out: { s: ServerState; weight: number }[] = [];
  for (const s of servers) {
    const e = effectiveServer(s, idx.get(`${pool}\u0000${s.host}`));
    if (e.inIpvs && s.ip) out.push({ s, weight: e.weight });
  }
  return out;
}

/** Routes and decisions as an instance depool makes them. */
export function applyInstance(d: { routes: Route[]; decisions: VipDecision[] }, inst: InstanceRouting): { routes: Route[]; decisions: VipDecision[] } {
  const { routes, decisions } = d;
  if (!inst) return d;
  if (inst.phase === 'graceful') {
    return {
      routes: routes.map((r) => (r.communities.includes(GRACEFUL_SHUTDOWN) ? r : { ...r, communities: [...r.communities, GRACEFUL_SHUTDOWN] })),
      decisions: decisions.map((d) => (d.announced ? { ...d, reason: `${d.reason}; instance depooled, GRACEFUL_SHUTDOWN before the withdrawal: ${inst.reason}` } : d)),
    };
  }
  return {
    routes: [],
    decisions: decisions.map((d) => ({ ...d, announced: false, med: null, reason: `instance depooled: ${inst.reason}` })),
  };
}

/** The status with each server's effective pooled/weight and its override (what IPVS holds). */
export function overlayPools(pools: PoolStatus[], set: OverrideSet): PoolStatus[] {
  if (set.servers.length === 0) return pools;
  return pools.map((p) => ({
    ...p,
    servers: p.servers.map((s) => {
      const o = set.servers.find((x) => x.pool === p.name && x.host === s.host);
      if (!o) return s;
      const e = effectiveServer({ ...s, pooled: s.pooled }, o.state);
      return { ...s, pooled: e.inIpvs && s.ip !== null, weight: e.weight, override: o };
    }),
  }));
}
