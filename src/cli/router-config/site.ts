/**
 * What the routers of a site need to know about its balancers (issue 17 §4), from vipd's own
 * configuration: one description every vendor's renderer prints. Pure.
 */
import ipaddr from 'ipaddr.js';
import type { VipdConfig } from '../../config/index.js';

export type Vendor = 'junos' | 'foundry' | 'frr' | 'bird';
export const VENDORS: readonly Vendor[] = ['junos', 'foundry', 'frr', 'bird'];

/** One router of the site: a `bgp-peer-address` of the config. */
export interface SiteRouter {
  /** The router's own address (vipd's peer address): its `local-address` / `update-source`. */
  address: string;
  /** The router's AS (bgp-peer-as). */
  as: number;
  /** Where vipd's config sets TCP-MD5 for this peer (the key itself is never printed), or null. */
  md5From: string | null;
  bfd: { intervalMs: number; multiplier: number } | null;
  /** vipd restarts gracefully with this peer (bgp-graceful-restart): with BFD, BIRD before 2.14 needs `bfd graceful` (docs/bfd.md). */
  gracefulRestart: boolean;
}

/** An accepted range: exact VIPs (len = prefix length) or a covering network with `ge len`. */
export interface SitePrefix { prefix: string; len: number; v6: boolean }

export interface Site {
  /** The balancers' AS (bgp-local-asn). */
  balancerAs: number;
  /** The balancers: the routers' neighbors. */
  balancers: string[];
  routers: SiteRouter[];
  /** Router timers, seconds (the seed: keepalive 10, hold 30). */
  hold: number;
  keepalive: number;
  v4: SitePrefix[];
  v6: SitePrefix[];
  /** Prefix limit per family: the VIP count with headroom (teardown beyond it). */
  limitV4: number;
  limitV6: number;
  /** MED added on import (the seed's `metric add 10`). */
  medAdd: number;
  vipCount: { v4: number; v6: number };
}

export interface SiteOptions {
  balancers: string[];
  /** Covering networks (`ge 32` / `ge 128`); default: the exact VIPs. */
  prefixes: string[];
  hold: number;
}

/** Twice the VIPs, at least 10: a VIP added on the balancers before the routers' limit is raised fits. */
export const prefixLimit = (vips: number): number => Math.max(10, 2 * vips);

/** The site, or every reason it cannot be described (each naming where). */
export function describeSite(c: VipdConfig, o: SiteOptions): { site: Site } | { errors: string[] } {
  const errors: string[] = [];
  const g = c.global;
  if (!g.bgp) errors.push(`${c.file}: bgp = no: vipd announces nothing, the routers need no configuration`);
  if (g.bgpLocalAsn === null) errors.push(`${c.file}: no bgp-local-asn`);
  if (!g.bgpPeers.length) errors.push(`${c.file}: no bgp-peer-address: no router to configure`);
  const routers: SiteRouter[] = [];
  for (const p of g.bgpPeers) {
    if (p.peerAs === null) { errors.push(`${c.file}:${p.line}: peer ${p.address} has no bgp-peer-as: the router's AS is unknown`); continue; }
    routers.push({
      address: p.address, as: p.peerAs, md5From: p.md5 ? `${c.file}:${p.line}` : null,
      bfd: p.bfd ? { intervalMs: p.bfdInterval, multiplier: p.bfdMultiplier } : null, gracefulRestart: p.gracefulRestart,
    });
  }
  const balancers = o.balancers.length ? o.balancers : defaultBalancers(c);
  if (!balancers.length) errors.push(`${c.file}: no bgp-local-address or bgp-local-ips: name the balancers with --balancer ADDR`);
  for (const b of balancers) if (!ipaddr.isValid(b)) errors.push(`--balancer ${b}: not an IP address`);
  const vips = new Map<string, string>();
  for (const s of c.services) if (s.bgp) vips.set(canon(s.ip), `${c.file}:${s.line} [${s.name}]`);
  for (const ip of g.advertisedInstrumentationIps) vips.set(canon(ip), `${c.file}: advertised_instrumentation_ips`);
  const ranges = o.prefixes.map((p) => parseRange(p, errors)).filter((x): x is [ipaddr.IPv4 | ipaddr.IPv6, number] => x !== null);
  const exact: SitePrefix[] = [];
  for (const [vip, where] of vips) {
    const a = ipaddr.parse(vip);
    const v6 = a.kind() === 'ipv6';
    if (ranges.length && !ranges.some(([net, len]) => net.kind() === a.kind() && a.match(net, len))) {
      errors.push(`${where}: VIP ${vip} is outside every --prefix (${o.prefixes.join(', ')}): the routers would drop it`);
    }
    exact.push({ prefix: `${vip}/${v6 ? 128 : 32}`, len: v6 ? 128 : 32, v6 });
  }
  if (errors.length) return { errors };
  const covering: SitePrefix[] = ranges.map(([net, len]) => {
    const v6 = net.kind() === 'ipv6';
    return { prefix: `${v6 ? (net as ipaddr.IPv6).toRFC5952String() : net.toString()}/${len}`, len: v6 ? 128 : 32, v6 };
  });
  const list = ranges.length ? covering : exact.sort((x, y) => (x.prefix < y.prefix ? -1 : 1));
  const count = { v4: exact.filter((p) => !p.v6).length, v6: exact.filter((p) => p.v6).length };
  return {
    site: {
      balancerAs: g.bgpLocalAsn!, balancers: balancers.map(canon), routers, hold: o.hold, keepalive: Math.floor(o.hold / 3),
      v4: list.filter((p) => !p.v6), v6: list.filter((p) => p.v6),
      limitV4: prefixLimit(count.v4), limitV6: prefixLimit(count.v6), medAdd: 10, vipCount: count,
    },
  };
}

/** This balancer's addresses as its config names them: the peers' local addresses, else bgp-local-ips. */
function defaultBalancers(c: VipdConfig): string[] {
  const local = c.global.bgpPeers.map((p) => p.localAddress).filter((a): a is string => !!a);
  return [...new Set(local.length ? local : c.global.bgpLocalIps.filter((a) => a !== ''))];
}

const canon = (ip: string): string => {
  const a = ipaddr.parse(ip);
  return a.kind() === 'ipv6' ? (a as ipaddr.IPv6).toRFC5952String() : a.toString();
};

function parseRange(text: string, errors: string[]): [ipaddr.IPv4 | ipaddr.IPv6, number] | null {
  try {
    const [net, len] = ipaddr.parseCIDR(text);
    const first = net.kind() === 'ipv6' ? ipaddr.IPv6.networkAddressFromCIDR(text) : ipaddr.IPv4.networkAddressFromCIDR(text);
    if (first.toString() !== net.toString()) { errors.push(`--prefix ${text}: host bits set (the network is ${first.toString()}/${len})`); return null; }
    return [net, len];
  } catch {
    errors.push(`--prefix ${text}: not a network (e.g. 208.80.152.0/22)`);
    return null;
  }
}
