/**
 * The VIPs section (announced or not and why, per peer) and the BGP sessions section (state,
 * uptime, prefixes, last NOTIFICATION each way, why it last went down).
 */
import type { VipDecision } from '../../coordinator/vip-policy.js';
import { isEstablished } from '../metrics-pybal.js';
import type { BgpPeerStatus, BgpStatus, NotificationInfo, StatusSnapshot } from '../types.js';
import { duration } from '../views.js';
import { ago, badge, esc, table } from './html.js';

/** Whether `peer` carries the VIP now, and if not why (the decision, the session, or its cap). */
export function vipAtPeer(v: VipDecision, p: BgpPeerStatus): { announced: boolean; why: string } {
  if (!v.announced) return { announced: false, why: v.reason };
  if (!isEstablished(p.state)) return { announced: false, why: `session ${p.state}` };
  if ((p.prefixesRefused ?? []).includes(v.prefix)) return { announced: false, why: 'over bgp-max-announce' };
  return { announced: true, why: `MED ${v.med ?? '—'}` };
}

function vipRow(v: VipDecision, bgp: BgpStatus): string[] {
  const svcs = v.services.map((s) => esc(`${s.name}: ${s.up}/${s.servers} up, ${s.pooled} pooled`)).join('<br>');
  let peers: string;
  if (!bgp.enabled) peers = '<span class="muted">BGP disabled</span>';
  else if (bgp.peers.length === 0) peers = '<span class="muted">no peers</span>';
  else {
    peers = '<ul class="peers">' + bgp.peers.map((p) => {
      const r = vipAtPeer(v, p);
      return `<li>${esc(p.peer)}: ${r.announced ? badge('announced', 'good') : badge('not announced', 'bad')} <small>${esc(r.why)}</small></li>`;
    }).join('') + '</ul>';
  }
  const decision = v.announced ? badge(v.degraded ? 'announce (degraded)' : 'announce', v.degraded ? 'warn' : 'good') : badge('withdraw', 'bad');
  return [`<strong>${esc(v.prefix)}</strong>`, `${decision}<br><small>${esc(v.reason)}</small>`, peers, svcs || '<span class="muted">—</span>'];
}

export function vipsSection(snap: StatusSnapshot): string {
  const rows = snap.coordinator.vips.map((v) => vipRow(v, snap.bgp));
  return '<section id="vips" aria-labelledby="h-vips"><h2 id="h-vips">VIPs</h2>'
    + table('VIPs and where they are announced', ['VIP', 'Decision', 'Per peer', 'Services'], rows) + '</section>';
}

function note(n: NotificationInfo | null, now: number): string {
  if (!n) return '';
  return `${esc(`${n.code}/${n.subcode} ${n.name}`)}${n.message ? ` “${esc(n.message)}”` : ''} ${ago(n.at, now)}`;
}

function peerRow(p: BgpPeerStatus, now: number): string[] {
  const up = isEstablished(p.state);
  const uptime = p.establishedSince !== null ? esc(duration(now - p.establishedSince)) : '<span class="muted">—</span>';
  const sent = note(p.lastNotificationSent, now);
  const recv = note(p.lastNotificationReceived, now);
  const notes = [sent && `sent ${sent}`, recv && `received ${recv}`, p.lastDownReason ? `last down: ${esc(p.lastDownReason)}` : '']
    .filter(Boolean).join('<br>');
  const prefixes = [`${p.prefixesAdvertised} advertised`, `${p.prefixesReceived} received`];
  if (p.prefixesRefused?.length) prefixes.push(`${p.prefixesRefused.length} refused (bgp-max-announce)`);
  if (p.prefixesBeyondLimit) prefixes.push(`${p.prefixesBeyondLimit} over bgp-max-prefixes`);
  return [
    `<strong>${esc(p.peer)}</strong>${p.peerAs !== null ? ` <small>AS${esc(p.peerAs)}</small>` : ''}`,
    badge(p.state, up ? 'good' : 'bad'), uptime, esc(prefixes.join(', ')), notes || '<span class="muted">none</span>',
  ];
}

export function bgpSection(snap: StatusSnapshot): string {
  const b = snap.bgp;
  const body = !b.enabled ? '<p class="muted">BGP is disabled.</p>'
    : table(`BGP sessions (local AS ${b.localAs ?? '—'})`, ['Peer', 'State', 'Uptime', 'Prefixes', 'Last NOTIFICATION'],
      b.peers.map((p) => peerRow(p, snap.now)));
  return `<section id="bgp" aria-labelledby="h-bgp"><h2 id="h-bgp">BGP sessions</h2>${body}</section>`;
}
