import ipaddr from 'ipaddr.js';

/** IPVS schedulers known to Linux 6.x (ip_vs_<name> modules). */
export const SCHEDULERS = ['rr', 'wrr', 'lc', 'wlc', 'lblc', 'lblcr', 'dh', 'sh', 'sed', 'nq', 'mh', 'fo', 'ovf', 'twos'] as const;
export type Scheduler = (typeof SCHEDULERS)[number];
export type Family = 'inet' | 'inet6';
export type Forwarding = 'route' | 'tunnel' | 'masq';

/** What identifies a virtual service in the kernel. `address` is canonical text (ipaddr.js). */
export type ServiceKey =
  | { readonly protocol: 'tcp' | 'udp'; readonly address: string; readonly port: number }
  | { readonly protocol: 'fwmark'; readonly mark: number; readonly family: Family };

export interface Persistence {
  /** Seconds (ipvsadm -p). */
  readonly timeout: number;
  /** ipvsadm -M as printed: dotted mask for IPv4, prefix length for IPv6; absent = host mask. */
  readonly netmask?: string;
  /** Persistence engine (--pe), e.g. 'sip'. */
  readonly engine?: string;
}

export interface RealServer {
  readonly address: string;
  readonly port: number;
  readonly forwarding: Forwarding;
  /** 0 is a real drain: the server stays in the table and gets no new connections. */
  readonly weight: number;
  /** Connection thresholds (-x / -y); 0 = none. */
  readonly upperThreshold: number;
  readonly lowerThreshold: number;
  /** Options vipd does not model, as ipvsadm -Sn printed them (e.g. `--tun-type gue`). */
  readonly extra: readonly string[];
}

export interface VirtualService {
  readonly key: ServiceKey;
  readonly scheduler: Scheduler;
  /** Scheduler flags (-b), sorted. */
  readonly flags: readonly string[];
  /** One-packet scheduling (udp only). */
  readonly ops: boolean;
  readonly persistence?: Persistence;
  readonly realServers: readonly RealServer[];
}

/** A whole IPVS table (or the owned part of it). */
export type IpvsTable = readonly VirtualService[];

export const isScheduler = (s: string): s is Scheduler => (SCHEDULERS as readonly string[]).includes(s);

export function familyOfAddress(address: string): Family {
  return ipaddr.parse(address).kind() === 'ipv6' ? 'inet6' : 'inet';
}

export function familyOf(key: ServiceKey): Family {
  return key.protocol === 'fwmark' ? key.family : familyOfAddress(key.address);
}

const DOTTED_QUAD = /^(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;
const canonicalCache = new Map<string, string>();

/** Canonical address text; throws a readable error on anything that is not an IP address. */
export function canonicalAddress(text: string): string {
  if (DOTTED_QUAD.test(text)) return text; // already canonical: the hot path of -Sn parsing
  const hit = canonicalCache.get(text);
  if (hit !== undefined) return hit;
  const out = canonicalSlow(text);
  if (canonicalCache.size >= 65_536) canonicalCache.clear();
  canonicalCache.set(text, out);
  return out;
}

function canonicalSlow(text: string): string {
  if (!ipaddr.isValid(text)) throw new Error(`'${text}' is not an IP address`);
  const a = ipaddr.parse(text);
  if (a.kind() === 'ipv6') {
    const v6 = a as ipaddr.IPv6;
    return v6.isIPv4MappedAddress() ? v6.toIPv4Address().toString() : v6.toRFC5952String();
  }
  return a.toString();
}

/** `addr:port`, with IPv6 in brackets, exactly as ipvsadm prints and accepts it. */
export function hostPort(address: string, port: number): string {
  return address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`;
}

/** A stable identity string for maps. */
export function serviceId(key: ServiceKey): string {
  return key.protocol === 'fwmark' ? `fwmark|${key.mark}|${key.family}` : `${key.protocol}|${key.address}|${key.port}`;
}

/** For logs and errors: `tcp 10.0.0.1:80`, `tcp [2001:db8::1]:80`, `fwmark 42 (inet6)`. */
export function describeService(key: ServiceKey): string {
  if (key.protocol === 'fwmark') return `fwmark ${key.mark}${key.family === 'inet6' ? ' (inet6)' : ''}`;
  return `${key.protocol} ${hostPort(key.address, key.port)}`;
}

export const serverId = (s: { address: string; port: number }): string => hostPort(s.address, s.port);

const HOST_MASKS = new Set(['255.255.255.255', '128']);

/** ipvsadm -Sn prints flag-1/flag-2 of sh and mh by their own names; so must we, to compare equal. */
const FLAG_NAMES: Partial<Record<Scheduler, Record<string, string>>> = {
  sh: { 'flag-1': 'sh-fallback', 'flag-2': 'sh-port' },
  mh: { 'flag-1': 'mh-fallback', 'flag-2': 'mh-port' },
};

/** Scheduler flags (-b) deduplicated, by the names ipvsadm prints for `scheduler`, sorted. */
export function canonicalFlags(scheduler: Scheduler, flags: readonly string[]): string[] {
  const names = FLAG_NAMES[scheduler] ?? {};
  return [...new Set(flags.map((f) => names[f] ?? f))].sort();
}

/** Drops defaults (host netmask, empty engine) and sorts flags, so equal tables compare equal. */
export function normalizeService(s: VirtualService): VirtualService {
  const p = s.persistence;
  const persistence: Persistence | undefined = p && {
    timeout: p.timeout,
    ...(p.netmask !== undefined && !HOST_MASKS.has(p.netmask) ? { netmask: p.netmask } : {}),
    ...(p.engine ? { engine: p.engine } : {}),
  };
  return {
    key: s.key,
    scheduler: s.scheduler,
    flags: canonicalFlags(s.scheduler, s.flags),
    ops: s.ops,
    ...(persistence ? { persistence } : {}),
    realServers: withKernelPorts(s.key, s.realServers),
  };
}

/**
 * ipvsadm gives a direct-routing or tunnelled realserver of a tcp/udp service the service's
 * port, whatever port was asked for (seen on Linux 6.1 / ipvsadm 1.31); only -m keeps its own.
 */
function withKernelPorts(key: ServiceKey, servers: readonly RealServer[]): readonly RealServer[] {
  if (key.protocol === 'fwmark' || servers.every((r) => r.forwarding === 'masq' || r.port === key.port)) return servers;
  return servers.map((r) => (r.forwarding === 'masq' || r.port === key.port ? r : { ...r, port: key.port }));
}

/** Equal service attributes (everything -E can change), ignoring the realservers. */
export function sameServiceAttributes(a: VirtualService, b: VirtualService): boolean {
  const x = normalizeService({ ...a, realServers: [] });
  const y = normalizeService({ ...b, realServers: [] });
  return x.scheduler === y.scheduler && x.ops === y.ops && x.flags.join(',') === y.flags.join(',')
    && x.persistence?.timeout === y.persistence?.timeout
    && x.persistence?.netmask === y.persistence?.netmask
    && x.persistence?.engine === y.persistence?.engine;
}

/** Equal realserver settings (everything -e can change, plus unmodelled options). */
export function sameServer(a: RealServer, b: RealServer): boolean {
  return a.forwarding === b.forwarding && a.weight === b.weight
    && a.upperThreshold === b.upperThreshold && a.lowerThreshold === b.lowerThreshold
    && sameExtra(a.extra, b.extra);
}

export function sameExtra(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** A realserver with defaults filled in (direct routing, weight 1, no thresholds). */
export function realServer(r: Partial<RealServer> & { address: string; port: number }): RealServer {
  return {
    address: canonicalAddress(r.address),
    port: r.port,
    forwarding: r.forwarding ?? 'route',
    weight: r.weight ?? 1,
    upperThreshold: r.upperThreshold ?? 0,
    lowerThreshold: r.lowerThreshold ?? 0,
    extra: r.extra ?? [],
  };
}
