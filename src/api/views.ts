/**
 * PyBal's instrumentation bodies (text and JSON forms, PYBAL.md §6.1) and vipd's /bgp and /vips,
 * as pure functions of the status. Each returns the body; the server sets the content type.
 */
import { alertSummary, textStatus, type CoordinatorStatus, type PoolStatus, type ServerStatus } from '../coordinator/status.js';
import type { ServerOverride } from '../coordinator/overrides.js';
import type { VipDecision } from '../coordinator/vip-policy.js';
import type { CheckMetricsStatus, LearnedTimeout } from '../health/index.js';
import type { BgpPeerStatus, BgpStatus, CountersStatus, RealServerCountersView } from './types.js';
import { vipReach, type VipReach } from './vip-reach.js';

export const NOT_FOUND = 'The desired url was not found';

export type Body = { json: unknown; text: string };

const dump = (s: ServerStatus) => ({ pooled: s.pooled, weight: s.weight, up: s.up, enabled: s.enabled });

/** Why a server is not up: each down monitor with its last failing check's reason (already redacted in the snapshot). */
export function downReason(s: ServerStatus): string | null {
  if (s.up && s.ready) return null;
  if (!s.ready) return 'address not resolved';
  const down = s.monitors.filter((m) => m.up === false).map((m) => `${m.name}: ${m.reason.replace(/\s*\n\s*/g, '; ') || 'down'}`);
  if (s.blackhole) down.push(s.blackhole);
  return down.length ? down.join('; ') : 'no monitor result yet';
}

export function poolsView(pools: PoolStatus[]): Body {
  const names = pools.map((p) => p.name);
  return { json: names, text: names.map((n) => n + '\n').join('') };
}

/**
 * PyBal's `host:\tenabled/up/pooled` lines (check_pybal_ipvs_diff splits on whitespace and reads the
 * second field), a down server's reason after a tab; in JSON a `reason` key on down servers only.
 */
export function poolView(p: PoolStatus, counters?: CountersStatus, checks?: CheckMetricsStatus): Body {
  type Entry = ReturnType<typeof dump> & { reason?: string; override?: ServerOverride; ipvs?: IpvsCounters; timeout?: Record<string, LearnedTimeout> };
  const json: Record<string, Entry> = {};
  const lines: string[] = [];
  const live = countersOf(p.name, counters);
  const learned = learnedOf(p.name, checks);
  for (const s of p.servers) {
    const reason = downReason(s);
    const ipvs = s.ip ? live.get(`${s.ip}|${s.port}`) : undefined;
    const timeout = learned.get(s.host);
    json[s.host] = {
      ...dump(s), ...(reason === null ? {} : { reason }), ...(s.override ? { override: s.override } : {}),
      ...(ipvs ? { ipvs: ipvsCounters(ipvs) } : {}), ...(timeout ? { timeout } : {}),
    };
    // Issue 15: an override is never silent; it follows the status (and the reason) after a tab.
    const o = s.override ? `\t[${s.override.state} by ${s.override.author}: ${s.override.reason}]` : '';
    lines.push(`${s.host}:\t${textStatus(s)}${reason === null ? '' : `\t(${reason})`}${o}\n`);
  }
  return { json, text: lines.join('') };
}

/** Issue 16 §1: a server's kernel counters in /pools/<pool> JSON (`ipvs` key, present once read). */
export type IpvsCounters = Pick<RealServerCountersView, 'weight' | 'active' | 'inactive' | 'connectionsPerSecond' | 'blackholed'>;

const ipvsCounters = (c: RealServerCountersView): IpvsCounters =>
  ({ weight: c.weight, active: c.active, inactive: c.inactive, connectionsPerSecond: c.connectionsPerSecond, blackholed: c.blackholed });

/** `timeout = auto` (issue 16 §5): per host of `service`, per monitor, its learned deadline and window p99 (ms). */
export function learnedOf(service: string, checks: CheckMetricsStatus | undefined): Map<string, Record<string, LearnedTimeout>> {
  const out = new Map<string, Record<string, LearnedTimeout>>();
  for (const c of checks?.series ?? []) {
    if (c.service !== service || !c.learned) continue;
    let m = out.get(c.host);
    if (!m) out.set(c.host, (m = {}));
    m[c.monitor] = c.learned;
  }
  return out;
}

/** The counters of one service by `address|port`. */
export function countersOf(service: string, c: CountersStatus | undefined): Map<string, RealServerCountersView> {
  const out = new Map<string, RealServerCountersView>();
  for (const s of c?.servers ?? []) if (s.service === service) out.set(`${s.server}|${s.port}`, s);
  return out;
}

export function serverView(s: ServerStatus): Body {
  return { json: dump(s), text: textStatus(s) + '\n' };
}

export function alertsView(st: CoordinatorStatus): Body {
  const a = alertSummary(st);
  return { json: a, text: `${a.status.toUpperCase()} - ${a.msg}` };
}

export function notFoundView(): Body {
  return { json: { error: NOT_FOUND }, text: NOT_FOUND };
}

export function duration(ms: number): string {
  let s = Math.max(0, Math.floor(ms / 1000));
  const d = Math.floor(s / 86400); s %= 86400;
  const h = Math.floor(s / 3600); s %= 3600;
  const m = Math.floor(s / 60); s %= 60;
  return `${d ? `${d}d` : ''}${d || h ? `${h}h` : ''}${d || h || m ? `${m}m` : ''}${s}s`;
}

function peerJson(p: BgpPeerStatus, now: number) {
  return { ...p, uptimeSeconds: p.establishedSince === null ? null : Math.max(0, (now - p.establishedSince) / 1000) };
}

function peerLine(p: BgpPeerStatus, now: number): string {
  const parts = [`${p.peer}${p.peerAs !== null ? ` AS${p.peerAs}` : ''}: ${p.state}`];
  if (p.establishedSince !== null) parts.push(`up ${duration(now - p.establishedSince)}`);
  if (p.holdTime !== null) parts.push(`hold ${p.holdTime}s`);
  parts.push(`${p.prefixesAdvertised} advertised, ${p.prefixesReceived} received`);
  if (p.prefixesRefused?.length) parts.push(`${p.prefixesRefused.length} refused (over bgp-max-announce)`);
  if (p.prefixesBeyondLimit) parts.push(`${p.prefixesBeyondLimit} discarded (over bgp-max-prefixes ${p.inboundLimit})`);
  if (p.capabilities.length) parts.push(`capabilities ${p.capabilities.join(' ')}`);
  const n = (label: string, x: BgpPeerStatus['lastNotificationSent']): void => {
    if (x) parts.push(`last notification ${label} ${x.code}/${x.subcode} ${x.name}${x.message ? ` "${x.message}"` : ''}`);
  };
  n('sent', p.lastNotificationSent);
  n('received', p.lastNotificationReceived);
  return parts.join(', ') + '\n';
}

export function bgpView(b: BgpStatus, now: number): Body {
  const json = { enabled: b.enabled, localAs: b.localAs, peers: b.peers.map((p) => peerJson(p, now)) };
  if (!b.enabled) return { json, text: 'BGP is disabled\n' };
  return { json, text: b.peers.length ? b.peers.map((p) => peerLine(p, now)).join('') : 'no BGP peers configured\n' };
}

/** A VIP as /vips gives it: the decision and how far it got (absent from an older vipd's JSON). */
export type VipView = VipDecision & Partial<VipReach>;

export function vipLine(v: VipView): string {
  const svcs = v.services.map((s) => `${s.name} ${s.up}/${s.servers} up, ${s.pooled} pooled`).join('; ');
  const tail = svcs ? ` — ${svcs}` : '';
  if (v.bgp === 'disabled') return `${v.prefix}: BGP disabled${tail}\n`;
  const to = v.announcedTo && v.peers !== undefined ? ` to ${v.announcedTo.length} of ${v.peers} peers` : '';
  const state = v.announced ? `announced${to}, MED ${v.med}` : 'not announced';
  return `${v.prefix}: ${state} (${v.reason})${tail}\n`;
}

export function vipsView(vips: VipDecision[], bgp: BgpStatus): Body {
  const json: VipView[] = vips.map((v) => ({ ...v, ...vipReach(v, bgp) }));
  return { json, text: json.length ? json.map(vipLine).join('') : 'no VIPs configured\n' };
}
