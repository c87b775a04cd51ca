/**
 * The status page (issue 15 §3): one server-rendered document, complete with JavaScript off. The
 * part under #live is also served alone (/page/live) for the script to swap in every second; the
 * override form sits outside it so typing is never interrupted. No inline script or style (CSP).
 */
import type { StatusSnapshot } from '../types.js';
import { duration } from '../views.js';
import { alertsSection, eventsSection } from './activity.js';
import { esc } from './html.js';
import { bgpSection, vipsSection } from './network.js';
import { overrideCell, poolsSection } from './pools.js';

export const PAGE_JS = '/page/app.js';
export const PAGE_CSS = '/page/app.css';
export const PAGE_LIVE = '/page/live';

/** This balancer taken out of BGP by an operator (PUT /overrides/instance). */
function instanceLine(snap: StatusSnapshot): string {
  const i = snap.coordinator.overrides?.instance;
  return i ? `<p id="instance" class="instance"><strong>This balancer is depooled:</strong> every VIP withdrawn. ${overrideCell(i, snap.now)}</p>\n` : '';
}

/** The part that updates itself: summary, alerts, pools, VIPs, BGP, events. */
export function renderLive(snap: StatusSnapshot): string {
  const at = new Date(snap.now).toISOString();
  return `<p class="meta">Status at <time datetime="${esc(at)}">${esc(at)}</time>; vipd up ${esc(duration(snap.now - snap.startedAt))}`
    + `${snap.ipvs ? `; IPVS ${esc(snap.ipvs.driver)}, ${esc(snap.ipvs.appliesTotal)} changes applied` : ''}.</p>\n`
    + instanceLine(snap)
    + [alertsSection(snap), poolsSection(snap), vipsSection(snap), bgpSection(snap), eventsSection(snap)].join('\n');
}

const ACTIONS = `<details id="actions" class="js-only">
<summary><h2>Override a server or this balancer</h2></summary>
<form id="override-form" novalidate>
<div class="field"><label for="token">Admin token</label>
<input id="token" type="password" autocomplete="off" spellcheck="false" aria-describedby="token-help">
<small id="token-help">Kept in this tab only (sessionStorage), sent as a Bearer header.</small></div>
<div class="field"><label for="o-pool">Pool</label><input id="o-pool" autocomplete="off" required></div>
<div class="field"><label for="o-host">Server</label><input id="o-host" autocomplete="off" required></div>
<div class="field"><label for="o-state">Action</label><select id="o-state">
<option value="depooled">depool (remove from IPVS)</option><option value="drained">drain (weight 0)</option>
<option value="pooled">pool (pin in)</option></select></div>
<div class="field"><label for="o-reason">Reason</label><input id="o-reason" autocomplete="off" required></div>
<div class="field"><label for="o-expires">Expires (RFC 3339, optional)</label><input id="o-expires" autocomplete="off" placeholder="2026-01-02T15:04:05Z"></div>
<div class="field check"><input id="o-force" type="checkbox"><label for="o-force">Force past the depool threshold (audited)</label></div>
<div class="buttons"><button type="submit" id="o-apply">Apply override</button>
<button type="button" id="o-clear">Remove override (repool)</button></div>
<div class="buttons"><button type="button" id="i-depool">Depool this balancer (withdraw every VIP)</button>
<button type="button" id="i-repool">Announce again</button></div>
<p id="o-result" role="status" aria-live="polite"></p>
</form></details>`;

export function renderPage(snap: StatusSnapshot): string {
  return `<!doctype html>
<html lang="en" class="nojs"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>vipd status</title>
<link rel="stylesheet" href="${PAGE_CSS}">
<script src="${PAGE_JS}" defer></script>
</head><body>
<a class="skip" href="#live">Skip to status</a>
<header><h1>vipd</h1><nav aria-label="Sections"><a href="#alerts">Alerts</a> <a href="#pools">Pools</a> <a href="#vips">VIPs</a>
<a href="#bgp">BGP</a> <a href="#events">Events</a> <a href="#actions" class="js-only">Override</a></nav>
<p id="live-state" class="meta js-only" role="status">Live: updates every second.</p></header>
<noscript><p class="meta">JavaScript is off: this view does not update (reload it), and overrides need
<code>vipd depool</code> / <code>vipd repool</code> or the API.</p></noscript>
${ACTIONS}
<main id="live">
${renderLive(snap)}
</main></body></html>
`;
}
