/**
 * From the typed configuration to what each part is built with: the coordinator's service and
 * route specs and the speaker's peers (IPVS: ../ipvs-mapping.ts). Pure.
 */
import ipaddr from 'ipaddr.js';
import type { BgpPeerConfig, GlobalConfig, ServiceConfig, VipdConfig } from '../../config/index.js';
import type { Route, RouteSpec, ServiceSpec } from '../../coordinator/types.js';
import { vipPrefix } from '../../coordinator/vip-policy.js';
import type { PeerConfig, SpeakerConfig } from '../../speaker/index.js';

export function serviceSpec(s: ServiceConfig): ServiceSpec {
  return {
    name: s.name, ip: s.ip, port: s.port, protocol: s.protocol, depoolThreshold: s.depoolThreshold,
    monitors: [...new Set(s.monitors.map((m) => m.name))], bgp: s.bgp, med: s.bgpMed,
    ...(s.bgpDegradedMed !== null ? { degradedMed: s.bgpDegradedMed } : {}),
    withdrawPolicy: s.bgpWithdrawPolicy,
    poolMaxRemoval: s.poolMaxRemoval, poolRemovalHoldMs: s.poolRemovalHold * 1000,
  };
}

/** Extra copies of our AS at the front of bgp-as-path; other ASNs cannot be expressed (yet). */
export function asPathPrepend(g: GlobalConfig): number {
  const asn = g.bgpLocalAsn;
  if (asn === null) return 0;
  let n = 0;
  while (n < g.bgpAsPath.length && g.bgpAsPath[n] === asn) n++;
  return Math.max(0, n - 1);
}

export function routeSpec(g: GlobalConfig): RouteSpec {
  return {
    ...(g.bgpNexthopIpv4 ? { nextHopV4: g.bgpNexthopIpv4 } : {}),
    ...(g.bgpNexthopIpv6 ? { nextHopV6: g.bgpNexthopIpv6 } : {}),
    med: g.bgpMed, withdrawPolicy: 'all-down', communities: [], largeCommunities: [],
    asPathPrepend: asPathPrepend(g), firstRoundWaitMs: g.bgpFirstRoundWait * 1000,
  };
}

/**
 * advertised_instrumentation_ips (puppet's profile::pybal): announced as long as vipd runs, with
 * the global MED, whatever any service's health; the host binds them (lvs::realserver), as VIPs.
 */
export function staticRoutes(g: GlobalConfig): Route[] {
  const spec = routeSpec(g);
  return g.advertisedInstrumentationIps.flatMap((ip) => {
    const { prefix, v6 } = vipPrefix(ip);
    const nextHop = v6 ? spec.nextHopV6 : spec.nextHopV4;
    return nextHop ? [{ prefix, nextHop, med: g.bgpMed, communities: [], largeCommunities: [], asPathPrepend: spec.asPathPrepend }] : [];
  });
}

/** RFC 8326 wait before the withdrawals at shutdown: the longest of the peers' bgp-graceful-shutdown-wait. */
export function gracefulShutdownMs(g: GlobalConfig): number {
  return Math.max(0, ...g.bgpPeers.map((p) => p.gracefulShutdownWait)) * 1000;
}

/** Without bgp-peer-as the peer's OPEN may carry any AS, as PyBal accepts. */
export function peerConfig(g: GlobalConfig, p: BgpPeerConfig): PeerConfig {
  return {
    address: p.address,
    ...(p.peerAs !== null ? { peerAs: p.peerAs } : {}),
    // a passive peer without its own address is listened for on bgp-local-ips ('' = every IPv4 address, as PyBal)
    ...(p.localAddress ? { localAddress: p.localAddress } : p.passive && g.bgpLocalIps.length === 1 ? { localAddress: g.bgpLocalIps[0] || '0.0.0.0' } : {}),
    ...(g.bgpLocalPort !== 179 ? { port: g.bgpLocalPort } : {}),
    holdTime: p.holdTime, keepalive: p.keepalive,
    mode: p.passive ? 'passive' : 'active',
    nextHop: { ...(g.bgpNexthopIpv4 ? { ipv4: g.bgpNexthopIpv4 } : {}), ...(g.bgpNexthopIpv6 ? { ipv6: g.bgpNexthopIpv6 } : {}) },
    // bgp-max-prefixes is the inbound limit; bgp-max-announce the outbound cap (issue 11: they were one key)
    ...(p.maxPrefixes !== null ? { inboundLimit: p.maxPrefixes } : {}),
    ...(p.maxPrefixesAction === 'teardown' ? { inboundLimitAction: 'teardown' as const } : {}),
    ...(p.maxAnnounce !== null ? { maxPrefixes: p.maxAnnounce } : {}),
    ...(p.communities.length ? { communities: [...p.communities] } : {}),
    ...(p.sendHoldTime !== null ? { sendHoldMs: p.sendHoldTime * 1000 } : {}),
    ...(p.md5 ? { md5Key: p.md5 } : {}),
    ...(p.ttlSecurity ? { ttlSecurity: true } : {}),
    ...(p.gracefulRestart ? { gracefulRestartTime: p.gracefulRestartTime } : {}),
  };
}

/** The warning for a peer whose AS is not configured (log it once, when the peer is added). */
export function anyAsWarning(p: PeerConfig): string | null {
  return p.peerAs === undefined
    ? `bgp peer ${p.address}: no bgp-peer-as, so any AS the peer sends in its OPEN is accepted (as PyBal did)`
    : null;
}

/** The speaker's config, or the reasons it cannot be built. */
export function speakerConfig(c: VipdConfig): { config: SpeakerConfig } | { errors: string[] } {
  const g = c.global;
  if (g.bgpLocalAsn === null) return { errors: ['bgp = yes needs bgp-local-asn'] };
  const peers = g.bgpPeers.map((p) => peerConfig(g, p));
  // The speaker falls back to a peer's IPv4 local address itself; named here because start builds
  // the speaker without peers and adds them as a reload does (reload-plan.ts).
  const routerId = g.bgpPeers.find((p) => p.routerId)?.routerId ?? g.bgpNexthopIpv4
    ?? g.bgpPeers.map((p) => p.localAddress).find((a) => a !== null && ipaddr.IPv4.isValidFourPartDecimal(a)) ?? undefined;
  return { config: { localAs: g.bgpLocalAsn, ...(routerId ? { routerId } : {}), peers } };
}
