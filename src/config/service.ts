import type { IniSection } from './ini.js';
import { findMonitor } from '../health/catalogue/index.js';
import { MONITOR_KEYS, readMonitors } from './monitors.js';
import { ETCD_KEYS, readEtcdTls } from './etcd-keys.js';
import { parseEtcdV2Url } from './etcd-url.js';
import { POOL_GUARD_KEYS, readPoolGuard } from './pool-guard-keys.js';
import { BLACKHOLE_KEYS, readBlackhole } from './blackhole-keys.js';
import { readScheduler } from './scheduler.js';
import { parseAddress, SectionReader, type IssueSink } from './section-reader.js';
import { type Forwarding, type GlobalConfig, type ServiceConfig, type WithdrawPolicy } from './types.js';

export const SERVICE_KEYS: readonly string[] = [
  'protocol', 'ip', 'port', 'scheduler', 'scheduler-flags', 'ops', 'tunneling', 'config', 'depool-threshold', 'bgp', 'bgp-med', 'monitors',
  'bgp-withdraw-policy', 'bgp-degraded-med', 'ipvs-forwarding', 'ipvs-persistence', 'pool-interval', 'pool-timeout',
  'pool-max-servers',
  ...POOL_GUARD_KEYS, ...ETCD_KEYS, ...BLACKHOLE_KEYS,
];
const FORWARDING: readonly Forwarding[] = ['dr', 'tun', 'nat'];
const POLICIES: readonly WithdrawPolicy[] = ['all-down', 'below-threshold', 'never'];
const POOL_SCHEMES = ['file:', 'http:', 'https:', 'etcd:', 'etcd3:', 'etcd3s:'];

/** One LVS service section; null when a required part is missing or wrong (errors recorded). */
export function readService(section: IniSection, global: GlobalConfig, file: string, sink: IssueSink, isGlobalKey: (k: string) => boolean): ServiceConfig | null {
  const before = sink.errors.length;
  const r = new SectionReader(section, file, sink);
  const protocol = r.choice('protocol', ['tcp', 'udp'] as const);
  const ipEntry = r.entry('ip');
  if (!ipEntry) r.error(section.line, "missing required key 'ip'");
  const vip = ipEntry ? parseAddress(ipEntry.value.trim()) : null;
  if (ipEntry && !vip) r.error(ipEntry.line, `ip must be an IP address, got '${ipEntry.value}'`);
  const port = r.int('port', undefined, { min: 0, max: 65535 });
  const { scheduler, flags: schedulerFlags } = readScheduler(r);
  const ops = r.bool('ops', false);
  if (ops && protocol === 'tcp') r.error(r.entry('ops')!.line, 'ops (one-packet scheduling) is only allowed with protocol = udp');
  const pool = poolUrl(r);
  const depoolThreshold = r.num('depool-threshold', 0.5, { min: 0 })!;
  if (depoolThreshold > 1) r.warn(r.entry('depool-threshold')!.line, `depool-threshold ${depoolThreshold} is above 1: no server will ever be depooled`);
  const med = r.int('bgp-med', global.bgpMed, { min: 0, max: 4294967295 })!;
  const svc = {
    name: section.name,
    line: section.line,
    protocol: protocol!,
    ip: vip?.text ?? '',
    family: vip?.family ?? 4,
    port: port!,
    scheduler: scheduler!,
    schedulerFlags,
    ops,
    forwarding: forwarding(r),
    persistence: r.int('ipvs-persistence', 0, { min: 1, max: 2678400 }) || null,
    pool: pool!,
    poolInterval: r.num('pool-interval', 1, { min: 0.1, max: 3600 })!,
    poolTimeout: r.num('pool-timeout', 5, { min: 0.1, max: 3600 })!,
    poolMaxServers: r.int('pool-max-servers', global.poolMaxServers, { min: 1, max: 1_000_000 })!,
    depoolThreshold,
    bgp: r.bool('bgp', true),
    bgpMed: med,
    bgpWithdrawPolicy: r.choice('bgp-withdraw-policy', POLICIES, 'all-down')!,
    bgpDegradedMed: r.has('bgp-degraded-med') ? r.int('bgp-degraded-med', undefined, { min: 0, max: 4294967295 }) ?? null : null,
    monitors: readMonitors(r),
    ...readPoolGuard(r, global),
    ...readBlackhole(r, global),
    ...readEtcdTls(r, global),
  } satisfies ServiceConfig;
  warnMonitorKeys(r, svc.monitors.map((m) => m.kind));
  r.warnUnknown([...SERVICE_KEYS, ...MONITOR_KEYS], isGlobalKey);
  return sink.errors.length === before ? svc : null;
}

/** `tunneling = true` (puppet's IPIP services) is `ipvs-forwarding = tun`: every realserver gets -i. */
function forwarding(r: SectionReader): Forwarding {
  const tunneling = r.bool('tunneling', false);
  const set = r.entry('ipvs-forwarding');
  const f = r.choice('ipvs-forwarding', FORWARDING, tunneling ? 'tun' : 'dr')!;
  if (tunneling && set && f !== 'tun') r.error(set.line, `ipvs-forwarding = ${f} contradicts tunneling = true (line ${r.entry('tunneling')!.line}); drop one`);
  return tunneling ? 'tun' : f;
}

function poolUrl(r: SectionReader): string | undefined {
  const e = r.entry('config');
  if (!e) { r.str('config'); return undefined; }
  const v = e.value.trim();
  // etcd:// is PyBal's etcd v2 over TLS (PYBAL.md §2.3): a comma list of endpoints is no WHATWG URL.
  if (/^etcd:\/\//i.test(v)) {
    try { parseEtcdV2Url(v); return v; } catch (err) { r.error(e.line, `config: ${(err as Error).message}`); return undefined; }
  }
  if (/^etcds:\/\//i.test(v)) {
    r.error(e.line, 'config: etcds:// is gone: use etcd:// for etcd v2 over TLS (PyBal, conftool), etcd3s:// for etcd v3 over TLS');
    return undefined;
  }
  let u: URL;
  try { u = new URL(v); } catch {
    r.error(e.line, `config must be a pool URL (file:///path, http://, https://, etcd://host:port/prefix), got '${v}'`);
    return undefined;
  }
  if (!POOL_SCHEMES.includes(u.protocol)) {
    r.error(e.line, `config: unsupported scheme '${u.protocol}' (use ${POOL_SCHEMES.map((s) => s + '//').join(', ')})`);
    return undefined;
  }
  if (u.protocol === 'file:' && u.hostname !== '' && u.hostname !== 'localhost') {
    r.error(e.line, `config: a file URL needs three slashes and an absolute path (file:///etc/pybal/pools/x), got '${v}'`);
    return undefined;
  }
  const v3 = u.protocol === 'etcd3:' || u.protocol === 'etcd3s:';
  if (v3 && (!u.hostname || u.pathname.replace(/\//g, '') === '')) {
    r.error(e.line, `config: an etcd3 URL needs a host and a key prefix (etcd3s://host:2379/conftool/v1/pools/...), got '${v}'`);
    return undefined;
  }
  if (v3 && (u.username === '') !== (u.password === '')) {
    r.error(e.line, `config: etcd credentials need both a user and a password (etcd3://user:password@host:2379/prefix)`);
    return undefined;
  }
  return v;
}

/** `<monitor>.<option>` keys for a monitor the service does not list, or an option the monitor lacks. */
function warnMonitorKeys(r: SectionReader, listed: string[]): void {
  for (const [key, e] of r.section.entries) {
    const dot = key.indexOf('.');
    if (dot === -1 || r.used.has(key) || e.inherited) continue;
    const kind = key.slice(0, dot);
    const m = findMonitor(kind);
    if (m && !listed.includes(kind) && MONITOR_KEYS.includes(key)) {
      r.used.add(key);
      r.warn(e.line, `'${key}' is set but ${m.kind} is not in monitors`);
    }
  }
}
