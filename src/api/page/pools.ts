/**
 * The pools section: per pool its VIP and health counts, per server enabled/up/pooled, weight,
 * override, why it is down (the monitors' reasons, as /pools/<pool> gives them), since when, and a
 * latency sparkline per monitor.
 */
import type { ServerOverride } from '../../coordinator/overrides.js';
import type { PoolStatus, ServerStatus } from '../../coordinator/status.js';
import type { CheckSeries } from '../../health/index.js';
import type { RealServerCountersView, StatusSnapshot } from '../types.js';
import { countersOf, downReason } from '../views.js';
import { ago, badge, domId, esc, table } from './html.js';
import { sparkline } from './sparkline.js';

/** The latest transition of any of the server's monitors: since when it is in its state. */
function since(s: ServerStatus): number | null {
  let t: number | null = null;
  for (const m of s.monitors) if (m.since !== null && (t === null || m.since > t)) t = m.since;
  return t;
}

function stateCell(s: ServerStatus): string {
  const health = s.up && s.ready ? badge('up', 'good') : s.partiallyUp ? badge('partially up', 'warn') : badge('down', 'bad');
  return [s.enabled ? badge('enabled', 'plain') : badge('disabled', 'warn'), health,
    s.pooled ? (s.pooledDown ? badge('pooled (down)', 'bad') : badge('pooled', 'good')) : badge('not pooled', 'plain')].join(' ');
}

/** An operator override (issue 15 §1): state, reason, author, since, until. */
export function overrideCell(o: Omit<ServerOverride, 'pool' | 'host' | 'forced'> & { forced?: boolean } | undefined | null, now: number): string {
  if (!o) return '<span class="muted">none</span>';
  const until = o.expires ? `, until ${esc(o.expires)}` : '';
  return `${badge(o.state, o.state === 'pooled' ? 'plain' : 'warn')}${o.forced ? ` ${badge('forced', 'bad')}` : ''} ${esc(o.reason)}`
    + `<br><small>by ${esc(o.author)} ${ago(Date.parse(o.since), now)}${until}</small>`;
}

/** `timeout = auto` (issue 16 §5): the deadline the next check gets, and the window's p99 it came from. */
const learnedLine = (c: CheckSeries): string => (c.learned
  ? `<br><small class="muted">timeout ${esc(ms(c.learned.deadlineMs))} (p99 ${esc(ms(c.learned.p99Ms))})</small>` : '');
const ms = (v: number): string => `${v >= 10 ? Math.round(v) : Number(v.toPrecision(2))} ms`;

function sparks(series: CheckSeries[]): string {
  return series.length ? series.map((c) => sparkline(c.recentMs ?? [], c.monitor) + learnedLine(c)).join('<br>') : '<span class="muted">—</span>';
}

function actionButton(pool: string, host: string): string {
  return `<button type="button" class="act js-only" id="${esc(domId('act', pool, host))}" data-pool="${esc(pool)}" data-host="${esc(host)}"`
    + ` aria-label="Override ${esc(host)} in ${esc(pool)}">Override…</button>`;
}

/** Issue 16 §1: the kernel's ActiveConn / InActConn / conn/s, with the black-hole flag. */
function trafficCell(c: RealServerCountersView | undefined): string {
  if (!c) return '<span class="muted">—</span>';
  const flag = c.blackholed ? ` ${badge('black-holed?', 'bad')}` : '';
  return `${esc(c.active)} / ${esc(c.inactive)}<br><small class="muted">${esc(c.connectionsPerSecond)} conn/s</small>${flag}`;
}

function serverRow(p: PoolStatus, s: ServerStatus, series: CheckSeries[], now: number, live: Map<string, RealServerCountersView>): string[] {
  const why = downReason(s);
  const addr = s.ip ? `${s.ip.includes(':') ? `[${s.ip}]` : s.ip}:${s.port}` : 'unresolved';
  return [
    `<strong>${esc(s.host)}</strong><br><small class="muted">${esc(addr)}</small>`,
    stateCell(s),
    esc(s.weight),
    overrideCell(s.override, now),
    why === null ? '<span class="muted">—</span>' : `<span class="why">${esc(why)}</span>`,
    ago(since(s), now),
    trafficCell(s.ip ? live.get(`${s.ip}|${s.port}`) : undefined),
    sparks(series),
    actionButton(p.name, s.host),
  ];
}

const HEAD = ['Server', 'State', 'Weight', 'Override', 'Why down', 'Since', 'Active / inactive (IPVS)', 'Check latency', 'Action'];

function poolSection(p: PoolStatus, snap: StatusSnapshot): string {
  const up = p.servers.filter((s) => s.up && s.ready).length;
  const pooled = p.servers.filter((s) => s.pooled).length;
  const bySrv = new Map<string, CheckSeries[]>();
  for (const c of snap.checks?.series ?? []) {
    if (c.service !== p.name) continue;
    const l = bySrv.get(c.host);
    if (l) l.push(c); else bySrv.set(c.host, [c]);
  }
  const vip = p.ip.includes(':') ? `[${p.ip}]` : p.ip;
  const notes: string[] = [];
  if (!p.delivered) notes.push(badge('no pool list yet', 'warn'));
  if (!p.canDepool) notes.push(badge('at depool threshold', 'warn'));
  if (p.pooledDown.length) notes.push(badge(`${p.pooledDown.length} down but pooled`, 'bad'));
  const live = countersOf(p.name, snap.counters);
  const rows = p.servers.map((s) => serverRow(p, s, bySrv.get(s.host) ?? [], snap.now, live));
  return `<section class="pool" aria-labelledby="${esc(domId('pool', p.name))}">`
    + `<h3 id="${esc(domId('pool', p.name))}">${esc(p.name)} <small>${esc(`${vip}:${p.port}/${p.protocol}`)}</small></h3>`
    + `<p>${esc(`${up} of ${p.servers.length} up, ${pooled} pooled, depool threshold ${p.depoolThreshold}`)} ${notes.join(' ')}</p>`
    + table(`Servers of ${p.name}`, HEAD, rows, 'servers') + '</section>';
}

export function poolsSection(snap: StatusSnapshot): string {
  const pools = snap.coordinator.pools;
  const body = pools.length ? pools.map((p) => poolSection(p, snap)).join('\n') : '<p class="muted">No pools configured.</p>';
  return `<section id="pools" aria-labelledby="h-pools"><h2 id="h-pools">Pools</h2>\n${body}</section>`;
}
