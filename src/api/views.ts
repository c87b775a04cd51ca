/**
 * PyBal's instrumentation bodies (text and JSON forms, PYBAL.md §6.1) and vipd's /bgp and /vips,
 * as pure functions of the status. Each returns the body; the server sets the content type.
 */
import { alertSummary, textStatus, type CoordinatorStatus, type PoolStatus, type ServerStatus } from '../coordinator/status.js';
import type { VipDecision } from '../coordinator/vip-policy.js';
import type { BgpPeerStatus, BgpStatus } from './types.js';

export const NOT_FOUND = 'The desired url was not found';

export type Body = { json: unknown; text: string };

const dump = (s: ServerStatus) => ({ pooled: s.pooled, weight: s.weight, up: s.up, enabled: s.enabled });

export function poolsView(pools: PoolStatus[]): Body {
  const names = pools.map((p) => p.name);
  return { json: names, text: names.map((n) => n + '\n').join('') };
}

export function poolView(p: PoolStatus): Body {
  const json: Record<string, ReturnType<typeof dump>> = {};
  for (const s of p.servers) json[s.host] = dump(s);
  return { json, text: p.servers.map((s) => `${s.host}:\t${textStatus(s)}\n`).join('') };
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

function duration(ms: number): string {
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

export function vipLine(v: VipDecision): string {
  const state = v.announced ? `announced, MED ${v.med}` : 'not announced';
  const svcs = v.services.map((s) => `${s.name} ${s.up}/${s.servers} up, ${s.pooled} pooled`).join('; ');
  return `${v.prefix}: ${state} (${v.reason})${svcs ? ` — ${svcs}` : ''}\n`;
}

export function vipsView(vips: VipDecision[]): Body {
  return { json: vips, text: vips.length ? vips.map(vipLine).join('') : 'no VIPs configured\n' };
}
