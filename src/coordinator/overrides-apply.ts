/**
 * Overrides applied to what the coordinator publishes and shows, pure: the realservers for IPVS,
 * the routes for BGP under an instance depool, and the status the API renders.
 */
import { GRACEFUL_SHUTDOWN } from '../speaker/index.js';
import { effectiveServer, overrideIndex, type BaseServer, type OverrideSet } from './overrides.js';
import type { Pool } from './depool-policy.js';
import type { PoolStatus } from './status.js';
import type { Route, ServerState } from './types.js';
import type { VipDecision } from './vip-policy.js';

/**
 * An instance depool on the way out: `graceful` re-announces every VIP with GRACEFUL_SHUTDOWN
 * (RFC 8326 §4: routers prefer other paths first), `withdrawn` announces none.
 */
export type InstanceRouting = { phase: 'graceful' | 'withdrawn'; reason: string } | null;

/** A server as effectivePool needs it: health's decision, and whether it is up. */
export type PoolMember = BaseServer & { host: string; up: boolean };

/**
 * Each server's effective place in IPVS. The depool threshold still holds (PYBAL.md §4.3): when
 * overrides take servers out, down servers health depooled are kept in (config order, as PyBal's
 * force-pooling) until the servers in IPVS with a weight reach all × threshold. `kept`: so kept.
 */
export function effectivePool(pool: string, threshold: number, servers: PoolMember[], set: OverrideSet): Map<string, { inIpvs: boolean; weight: number; kept: boolean }> {
  const idx = overrideIndex(set);
  const state = (s: PoolMember) => idx.get(`${pool}\u0000${s.host}`);
  const out = new Map(servers.map((s) => [s.host, { ...effectiveServer(s, state(s)), kept: false }]));
  if (!servers.some((s) => state(s) === 'depooled' || state(s) === 'drained')) return out;
  let active = [...out.values()].filter((e) => e.inIpvs && e.weight > 0).length;
  for (const s of servers) {
    if (active >= servers.length * threshold) break;
    const e = out.get(s.host)!;
    if (state(s) === undefined && !e.inIpvs && s.enabled && s.ready && s.weight > 0) {
      out.set(s.host, { inIpvs: true, weight: s.weight, kept: true });
      active++;
    }
  }
  return out;
}

/** The servers of one pool that go to IPVS, with their effective weight. */
export function effectiveServers(pool: string, threshold: number, servers: Iterable<ServerState>, set: OverrideSet): { s: ServerState; weight: number }[] {
  const all = [...servers];
  const eff = effectivePool(pool, threshold, all, set);
  return all.filter((s) => eff.get(s.host)!.inIpvs && s.ip).map((s) => ({ s, weight: eff.get(s.host)!.weight }));
}

/**
 * The pool as the VIP policy should see it: a server counts as pooled only when it is in IPVS with
 * a weight (a depooled or drained server serves nothing), so depooling every server withdraws the VIP.
 */
export function poolForVips(name: string, pool: Pool, set: OverrideSet): Pool {
  if (!set.servers.some((o) => o.pool === name)) return pool;
  const eff = effectivePool(name, pool.threshold, [...pool.servers.values()], set);
  const servers = new Map([...pool.servers].map(([h, s]) => {
    const e = eff.get(h)!;
    return [h, { ...s, pooled: e.inIpvs && e.weight > 0 }];
  }));
  return { ...pool, servers };
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
  return pools.map((p) => {
    const eff = effectivePool(p.name, p.depoolThreshold, p.servers, set);
    const kept = p.servers.filter((s) => eff.get(s.host)!.kept).map((s) => s.host);
    return {
      ...p,
      pooledDown: [...p.pooledDown, ...kept],
      servers: p.servers.map((s) => {
        const o = set.servers.find((x) => x.pool === p.name && x.host === s.host);
        const e = eff.get(s.host)!;
        if (!o && !e.kept) return s;
        return { ...s, pooled: e.inIpvs && s.ip !== null, weight: e.weight, ...(e.kept ? { pooledDown: true } : {}), ...(o ? { override: o } : {}) };
      }),
    };
  });
}
