import ipaddr from 'ipaddr.js';
import type { IniSection } from './ini.js';
import { nearest } from './issues.js';
import { ETCD_KEYS, ETCD_TLS_DEFAULTS, readEtcdTls } from './etcd-keys.js';
import { ADMIN_KEYS, readAdmin } from './admin-keys.js';
import { FLEET_KEYS, readFleet } from './fleet-keys.js';
import { POOL_GUARD_DEFAULTS, POOL_GUARD_KEYS, readPoolGuard } from './pool-guard-keys.js';
import { BLACKHOLE_DEFAULTS, STATS_KEYS, readBlackhole, readStatsInterval } from './blackhole-keys.js';
import { readTcpAuth, TCP_AUTH_KEYS } from './tcp-auth-keys.js';
import { stringList, SectionReader, type IssueSink } from './section-reader.js';
import type { BgpPeerConfig, Community, GlobalConfig } from './types.js';

export const PEER_SECTION = /^bgp-peer\s+(\S+)$/;

/** Keys that may appear in [global] (as defaults) or in a [bgp-peer <address>] section. */
export const PEER_KEYS = [
  'bgp-peer-as', 'bgp-hold-time', 'bgp-keepalive', 'bgp-passive', 'bgp-router-id',
  'bgp-local-address', 'bgp-max-prefixes', 'bgp-communities', 'bgp-graceful-shutdown-wait',
  'bgp-max-prefixes-action', 'bgp-max-announce', 'bgp-send-hold-time', ...TCP_AUTH_KEYS,
  'bgp-max-prefixes-action', 'bgp-max-announce', 'bgp-send-hold-time',
  'bgp-graceful-restart', 'bgp-graceful-restart-time',
  'bgp-bfd', 'bgp-bfd-interval', 'bgp-bfd-multiplier',
] as const;

export const GLOBAL_KEYS: readonly string[] = [
  'bgp', 'bgp-local-asn', 'bgp-as-path', 'bgp-med', 'bgp-nexthop-ipv4', 'bgp-nexthop-ipv6',
  'bgp-peer-address', 'bgp-local-ips', 'bgp-local-port', 'instrumentation', 'instrumentation_port',
  'instrumentation_ips', 'advertised_instrumentation_ips', 'dry-run', 'ipvs-reconcile-interval', 'bind-vips', 'pool-max-servers',
  'bgp-first-round-wait', ...PEER_KEYS, ...ADMIN_KEYS, ...POOL_GUARD_KEYS, ...ETCD_KEYS, ...FLEET_KEYS, ...STATS_KEYS,
];

const MAX_ASN = 4294967295;
// RFC 1997 well-known communities; RFC 8326 GRACEFUL_SHUTDOWN; RFC 7999 BLACKHOLE.
const WELL_KNOWN: Record<string, number> = {
  'no-export': 0xffffff01, 'no-advertise': 0xffffff02, 'no-export-subconfed': 0xffffff03,
  'graceful-shutdown': 0xffff0000, blackhole: 0xffff029a,
};

type PeerDefaults = Omit<BgpPeerConfig, 'address' | 'line'>;

export function readGlobal(section: IniSection | undefined, peerSections: IniSection[], file: string, sink: IssueSink): GlobalConfig {
  const r = new SectionReader(section ?? { name: 'global', line: 1, entries: new Map() }, file, sink);
  const bgp = r.bool('bgp', false);
  const asn = bgp ? r.int('bgp-local-asn', undefined, { min: 1, max: MAX_ASN }) ?? null
    : r.int('bgp-local-asn', 0, { min: 1, max: MAX_ASN }) || null;
  const asPathEntry = r.entry('bgp-as-path');
  let bgpAsPath = asn ? [asn] : [];
  if (asPathEntry) {
    const parts = asPathEntry.value.trim().split(/\s+/).filter(Boolean);
    const bad = parts.find((p) => !/^\d+$/.test(p) || Number(p) > MAX_ASN);
    if (bad || parts.length === 0) r.error(asPathEntry.line, `bgp-as-path must be AS numbers separated by spaces, got '${asPathEntry.value}'`);
    else bgpAsPath = parts.map(Number);
  }
  const defaults = readPeerOptions(r, null);
  const peers: BgpPeerConfig[] = [];
  const peerEntry = r.entry('bgp-peer-address');
  if (peerEntry && peerEntry.value.trim() !== '') {
    let texts: string[] = [peerEntry.value.trim()];
    if (texts[0]!.startsWith('[')) {
      const lit = r.literal('bgp-peer-address');
      const list = lit ? stringList(lit.value, false) : [];
      if (typeof list === 'string') { r.error(peerEntry.line, `bgp-peer-address ${list}`); texts = []; } else texts = list;
    } else texts = [texts[0]!.replace(/^['"](.*)['"]$/, '$1')];
    for (const t of texts) {
      const a = r.checkAddress(t, 'bgp-peer-address', peerEntry.line);
      if (a && !peers.some((p) => p.address === a)) peers.push({ address: a, line: peerEntry.line, ...defaults });
    }
  }
  for (const ps of peerSections) {
    const pr = new SectionReader(ps, file, sink);
    const a = pr.checkAddress(PEER_SECTION.exec(ps.name)![1]!, 'section name', ps.line);
    const opts = readPeerOptions(pr, defaults);
    pr.warnUnknown(PEER_KEYS, () => true);
    if (!a) continue;
    const i = peers.findIndex((p) => p.address === a);
    const peer = { address: a, line: ps.line, ...opts };
    if (i === -1) peers.push(peer); else peers[i] = peer;
  }
  const g: GlobalConfig = {
    bgp,
    bgpLocalAsn: asn,
    bgpAsPath,
    bgpMed: r.int('bgp-med', 0, { min: 0, max: MAX_ASN })!,
    bgpNexthopIpv4: r.address('bgp-nexthop-ipv4', 4),
    bgpNexthopIpv6: r.address('bgp-nexthop-ipv6', 6),
    bgpPeers: peers,
    bgpLocalIps: addressList(r, 'bgp-local-ips', ['']),
    bgpLocalPort: r.int('bgp-local-port', 179, { min: 0, max: 65535 })!,
    instrumentation: r.bool('instrumentation', false),
    instrumentationPort: r.int('instrumentation_port', 9090, { min: 0, max: 65535 })!,
    instrumentationIps: addressList(r, 'instrumentation_ips', ['127.0.0.1', '::1']),
    ipvsReconcileInterval: r.num('ipvs-reconcile-interval', 30, { min: 0.1, max: 86400 })!,
    poolMaxServers: r.int('pool-max-servers', 10_000, { min: 1, max: 1_000_000 })!,
    ...readPoolGuard(r, POOL_GUARD_DEFAULTS),
    ipvsStatsInterval: readStatsInterval(r),
    ...readBlackhole(r, BLACKHOLE_DEFAULTS),
    ...readEtcdTls(r, ETCD_TLS_DEFAULTS),
    ...readAdmin(r),
    ...readFleet(r),
    bindVips: r.bool('bind-vips', false),
    dryRun: r.bool('dry-run', false),
    advertisedInstrumentationIps: addressList(r, 'advertised_instrumentation_ips', []).filter((a) => a !== ''),
    bgpFirstRoundWait: r.num('bgp-first-round-wait', 5, { min: 0, max: 3600 })!,
  };
  const ipsEntry = r.entry('instrumentation_ips');
  if (g.instrumentation && ipsEntry) for (const ip of g.instrumentationIps) r.warnIf(ipsEntry.line, exposedApi(ip));
  // A passive peer without bgp-local-address is listened for on bgp-local-ips (PyBal's listener)
  const passive = peers.filter((p) => p.passive && !p.localAddress);
  if (bgp && passive.length && g.bgpLocalIps.length !== 1) {
    r.error(r.entry('bgp-local-ips')?.line ?? passive[0]!.line, `bgp-local-ips must hold one address to listen on for the passive peer${passive.length > 1 ? 's' : ''} ${passive.map((p) => p.address).join(', ')} (or set ${passive.length > 1 ? 'their' : 'its'} bgp-local-address)`);
  }
  const advEntry = r.entry('advertised_instrumentation_ips');
  for (const ip of bgp ? g.advertisedInstrumentationIps : []) {
    const v6 = ip.includes(':');
    if (!(v6 ? g.bgpNexthopIpv6 : g.bgpNexthopIpv4)) r.error(advEntry!.line, `advertised_instrumentation_ips: ${ip} is announced by BGP, but bgp-nexthop-ipv${v6 ? 6 : 4} is not set`);
  }
  if (bgp && peers.length === 0 && !peerEntry?.value.trim()) r.error(r.section.line, 'bgp = yes but no peer: set bgp-peer-address');
  r.warnUnknown(GLOBAL_KEYS, () => true);
  return g;
}

/** Why listening on `ip` exposes the unauthenticated API beyond this host, or null for loopback. */
export function exposedApi(ip: string): string | null {
  const wildcard = ip === '' || ip === '0.0.0.0' || ip === '::';
  if (!wildcard && ipaddr.isValid(ip) && ipaddr.process(ip).range() === 'loopback') return null;
  const what = wildcard ? `'${ip}' listens on every interface` : `${ip} is not a loopback address`;
  return `instrumentation_ips: ${what}: the unauthenticated API (pools, alerts, metrics) is reachable from the network; `
    + 'list only 127.0.0.1 and ::1 unless a firewall guards the port';
}

function addressList(r: SectionReader, key: string, def: string[]): string[] {
  const lit = r.literal(key);
  if (!lit) return def;
  const list = stringList(lit.value, true);
  if (typeof list === 'string') { r.error(lit.entry.line, `${key} ${list}`); return def; }
  return list.map((t) => (t === '' ? '' : r.checkAddress(t, key, lit.entry.line))).filter((a): a is string => a !== null);
}

function readPeerOptions(r: SectionReader, base: PeerDefaults | null): PeerDefaults {
  const holdTime = r.int('bgp-hold-time', base?.holdTime ?? 180, { min: 0, max: 65535 })!;
  // RFC 4271 §4.2: the hold time is zero or at least three seconds.
  const holdOk = holdTime === 0 || holdTime >= 3;
  if (!holdOk) r.error(r.entry('bgp-hold-time')!.line, `bgp-hold-time must be 0 or at least 3, got ${holdTime}`);
  const keepDef = base && r.has('bgp-hold-time') === false ? base.keepalive : Math.floor(holdTime / 3);
  const keepalive = r.int('bgp-keepalive', keepDef, { min: 0, max: 21845 })!;
  if (holdTime > 0 && keepalive >= holdTime) r.error(r.entry('bgp-keepalive')?.line ?? r.section.line, `bgp-keepalive (${keepalive}) must be less than bgp-hold-time (${holdTime})`);
  const rid = r.entry('bgp-router-id');
  let routerId = base?.routerId ?? null;
  if (rid) {
    const a = r.checkAddress(rid.value.trim(), 'bgp-router-id', rid.line, 4);
    // RFC 6286 §2.1: the BGP Identifier is a non-zero 32-bit value.
    if (a === '0.0.0.0') r.error(rid.line, 'bgp-router-id must not be 0.0.0.0');
    else if (a) routerId = a;
  }
  // RFC 9687: unset = max(8 minutes, 2 × hold time)
  const sendHold = r.int('bgp-send-hold-time', base?.sendHoldTime ?? 0, { min: 1, max: 65535 });
  const local = r.entry('bgp-local-address');
  // Inbound limit (counted, never stored) and what to do past it; the outbound cap is separate.
  const maxp = r.int('bgp-max-prefixes', base?.maxPrefixes ?? 0, { min: 1 });
  const maxa = r.int('bgp-max-announce', base?.maxAnnounce ?? 0, { min: 1 });
  const actionEntry = r.entry('bgp-max-prefixes-action');
  const action = actionEntry?.value.trim().toLowerCase() ?? base?.maxPrefixesAction ?? 'discard';
  if (actionEntry && action !== 'discard' && action !== 'teardown') {
    r.error(actionEntry.line, `bgp-max-prefixes-action must be discard or teardown, got '${actionEntry.value.trim()}'`);
  }
  return {
    peerAs: r.int('bgp-peer-as', base?.peerAs ?? 0, { min: 1, max: MAX_ASN }) || null,
    holdTime: holdOk ? holdTime : 180,
    keepalive,
    passive: r.bool('bgp-passive', base?.passive ?? false),
    routerId,
    localAddress: local ? r.checkAddress(local.value.trim(), 'bgp-local-address', local.line) : base?.localAddress ?? null,
    maxPrefixes: maxp ? maxp : null,
    maxPrefixesAction: action === 'teardown' ? 'teardown' : 'discard',
    maxAnnounce: maxa ? maxa : null,
    communities: communities(r) ?? base?.communities ?? [],
    sendHoldTime: sendHold ? sendHold : null,
    gracefulShutdownWait: r.num('bgp-graceful-shutdown-wait', base?.gracefulShutdownWait ?? 0, { min: 0, max: 3600 })!,
    ...readTcpAuth(r, base),
    gracefulRestart: r.bool('bgp-graceful-restart', base?.gracefulRestart ?? false),
    // RFC 4724 §3: the Restart Time field is 12 bits
    gracefulRestartTime: r.int('bgp-graceful-restart-time', base?.gracefulRestartTime ?? 120, { min: 1, max: 4095 })!,
    // RFC 5880 §6.8.1: desired min TX = required min RX = bgp-bfd-interval (ms); Detect Mult 1-255
    bfd: r.bool('bgp-bfd', base?.bfd ?? false),
    bfdInterval: r.int('bgp-bfd-interval', base?.bfdInterval ?? 300, { min: 10, max: 60000 })!,
    bfdMultiplier: r.int('bgp-bfd-multiplier', base?.bfdMultiplier ?? 3, { min: 1, max: 255 })!,
  };
}

function communities(r: SectionReader): Community[] | null {
  const e = r.entry('bgp-communities');
  if (!e) return null;
  const out: Community[] = [];
  for (const w of e.value.split(/[\s,]+/).filter(Boolean)) {
    const known = WELL_KNOWN[w.toLowerCase()];
    const m = /^(\d+):(\d+)$/.exec(w);
    if (known !== undefined) out.push(known);
    else if (m && Number(m[1]) <= 65535 && Number(m[2]) <= 65535) out.push(Number(m[1]) * 65536 + Number(m[2]));
    else {
      const near = nearest(w.toLowerCase(), Object.keys(WELL_KNOWN));
      r.error(e.line, `bgp-communities: '${w}' is not ASN:VALUE (each 0-65535) or one of ${Object.keys(WELL_KNOWN).join(', ')}${near ? ` (did you mean '${near}'?)` : ''}`);
    }
  }
  return out;
}

export function communityText(c: Community): string {
  const name = Object.entries(WELL_KNOWN).find(([, v]) => v === c)?.[0];
  return name ?? `${Math.floor(c / 65536)}:${c % 65536}`;
}

