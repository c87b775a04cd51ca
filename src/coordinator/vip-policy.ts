/**
 * Which VIPs to announce, with which MED, and why — pure. One decision per VIP; the same route
 * list goes to every peer.
 */
import ipaddr from 'ipaddr.js';
import type { Route, RouteSpec, WithdrawPolicy } from './types.js';

/** Health of one BGP-enabled service of a VIP, as the coordinator sees it now. */
export interface ServiceHealth {
  name: string;
  firstRoundDone: boolean;
  servers: number;
  up: number;
  pooled: number;
  /** Pooled and up: actually serving. */
  pooledUp: number;
  /** Fewer up ∧ enabled servers than all × depool-threshold (PyBal's ¬canDepool). */
  belowThreshold: boolean;
}

export interface VipInput {
  ip: string;
  services: ServiceHealth[];
  /** Every service finished its first health round once (the coordinator latches this). */
  settled: boolean;
  med: number;
  degradedMed?: number;
  policy: WithdrawPolicy;
  /** This host would drop the VIP's traffic (not a local address, or IPVS lacks a service): why. */
  withheld?: string;
  /** Services whose first health round outlasted bgp-first-round-wait: the VIP is decided on what is known. */
  firstRoundPending?: string[];
}

export interface VipDecision {
  ip: string;
  prefix: string;
  announced: boolean;
  reason: string;
  /** The MED sent, null when withdrawn. */
  med: number | null;
  degraded: boolean;
  policy: WithdrawPolicy;
  services: ServiceHealth[];
}

/** Parsed once per address (the decision runs on every transition of a VIP's services); bounded. */
const prefixes = new Map<string, Readonly<{ prefix: string; v6: boolean }>>();

export function vipPrefix(ip: string): Readonly<{ prefix: string; v6: boolean }> {
  const known = prefixes.get(ip);
  if (known) return known;
  const a = ipaddr.parse(ip);
  const v6 = a.kind() === 'ipv6';
  const p = Object.freeze({ prefix: `${a.toString()}/${v6 ? 128 : 32}`, v6 });
  if (prefixes.size >= 10_000) prefixes.clear();
  prefixes.set(ip, p);
  return p;
}

function serving(s: ServiceHealth, policy: WithdrawPolicy): boolean {
  if (policy === 'never') return true;
  if (policy === 'below-threshold') return s.pooledUp > 0 && !s.belowThreshold;
  return s.pooledUp > 0;
}

/** The decision for one VIP, and its route when announced. */
export function decideVip(v: VipInput, spec: RouteSpec): { decision: VipDecision; route?: Route } {
  const { prefix, v6 } = vipPrefix(v.ip);
  const degraded = v.services.some((s) => s.belowThreshold);
  const base = { ip: v.ip, prefix, policy: v.policy, degraded, services: v.services };
  const no = (reason: string): { decision: VipDecision } => ({ decision: { ...base, announced: false, med: null, reason } });
  const nextHop = v6 ? spec.nextHopV6 : spec.nextHopV4;
  if (!nextHop) return no(`no next hop for ${v6 ? 'IPv6 (bgp-nexthop-ipv6)' : 'IPv4 (bgp-nexthop-ipv4)'}`);
  if (v.services.length === 0) return no('no service of this VIP has bgp enabled');
  if (v.withheld) return no(`withheld: ${v.withheld}`);
  if (!v.settled) {
    const waiting = v.services.filter((s) => !s.firstRoundDone).map((s) => s.name);
    return no(`waiting for the first health round of ${waiting.join(', ')}`);
  }
  const ok = v.services.filter((s) => serving(s, v.policy));
  if (ok.length === 0) {
    return no(v.policy === 'below-threshold'
      ? 'every service is below its depool threshold or has no pooled server up'
      : 'no pooled server is up in any service');
  }
  const med = degraded && v.degradedMed !== undefined ? v.degradedMed : v.med;
  let reason: string;
  if (v.policy === 'never') reason = 'always announced (bgp-withdraw-policy = never)';
  else reason = `${ok.map((s) => s.name).join(', ')} serving`;
  if (degraded) reason += `; below depool threshold: ${v.services.filter((s) => s.belowThreshold).map((s) => s.name).join(', ')}`;
  if (v.firstRoundPending?.length) reason += `; first health round of ${v.firstRoundPending.join(', ')} still running (bgp-first-round-wait over)`;
  const route: Route = {
    prefix, nextHop, med,
    communities: [...spec.communities],
    largeCommunities: spec.largeCommunities.map((c) => [...c] as [number, number, number]),
    asPathPrepend: spec.asPathPrepend,
  };
  return { decision: { ...base, announced: true, med, reason }, route };
}

/** Decisions for all VIPs (sorted by prefix) and the routes to advertise to every peer. */
export function decideVips(vips: VipInput[], spec: RouteSpec): { routes: Route[]; decisions: VipDecision[] } {
  const routes: Route[] = [];
  const decisions: VipDecision[] = [];
  for (const v of vips) {
    const r = decideVip(v, spec);
    decisions.push(r.decision);
    if (r.route) routes.push(r.route);
  }
  decisions.sort((a, b) => a.prefix.localeCompare(b.prefix));
  routes.sort((a, b) => a.prefix.localeCompare(b.prefix));
  return { routes, decisions };
}
