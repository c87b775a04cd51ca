/** The alerts section (the /alerts summary and every raised alert) and the last events (the log's EventRing). */
import { alertSummary } from '../../coordinator/status.js';
import type { StatusSnapshot } from '../types.js';
import { ago, badge, esc, table } from './html.js';

export function alertsSection(snap: StatusSnapshot): string {
  const a = alertSummary(snap.coordinator);
  const tone = a.status === 'ok' ? 'good' : a.status === 'warning' ? 'warn' : 'bad';
  const items = snap.coordinator.alerts.map((x) =>
    `<li>${badge(x.level, x.level === 'critical' ? 'bad' : 'warn')} <strong>${esc(x.source)}</strong>: ${esc(x.message)}</li>`);
  return `<section id="alerts" aria-labelledby="h-alerts"><h2 id="h-alerts">Alerts</h2>`
    + `<p>${badge(a.status.toUpperCase(), tone)} ${esc(a.msg)}</p>${items.length ? `<ul>${items.join('')}</ul>` : ''}</section>`;
}

/** Context keys shown before the message, in this order; the rest follow it. */
const LEAD = ['service', 'server', 'vip', 'peer', 'component'];

export function eventsSection(snap: StatusSnapshot): string {
  const events = snap.events;
  if (events === undefined) return '';
  const rows = events.map((e) => {
    const lead = LEAD.filter((k) => e.ctx[k] !== undefined && e.ctx[k] !== null).map((k) => esc(e.ctx[k])).join(' ');
    const rest = Object.entries(e.ctx).filter(([k]) => !LEAD.includes(k)).map(([k, v]) => `${esc(k)}=${esc(v)}`).join(' ');
    return [ago(e.at, snap.now), badge(e.level, e.level === 'error' ? 'bad' : e.level === 'warn' ? 'warn' : 'plain'),
      `${lead ? `<strong>${lead}</strong> ` : ''}${esc(e.msg)}${rest ? `<br><small class="muted">${rest}</small>` : ''}`];
  });
  return `<section id="events" aria-labelledby="h-events"><h2 id="h-events">Last ${events.length} events</h2>`
    + table('Events, newest first', ['When', 'Level', 'Event'], rows, 'events') + '</section>';
}
