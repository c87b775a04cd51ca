import t from 'tap';
import { FakeClock } from '../../../test/support/fake-clock.js';
import { Coordinator } from '../../coordinator/coordinator.js';
import type { ServiceSpec } from '../../coordinator/types.js';
import { silentLogger } from '../../log/logger.js';
import type { StatusSnapshot } from '../types.js';
import { domId, esc } from './html.js';
import { vipAtPeer } from './network.js';
import { renderLive, renderPage } from './render.js';
import { sparkPoints, sparkline } from './sparkline.js';

const HOSTILE = '<script>alert("x")</script>';
const HOST = `a"><img src=x onerror=alert(1)>`;

/** Every attribute name of every tag (values are double-quoted by the renderer). */
function attributeNames(html: string): string[] {
  const names: string[] = [];
  for (const tag of html.matchAll(/<[a-z][a-z0-9]*((?:\s+[\w:-]+(?:="[^"]*")?)*)\s*\/?>/gi)) {
    for (const a of tag[1]!.matchAll(/\s([\w:-]+)(?:="[^"]*")?/g)) names.push(a[1]!.toLowerCase());
  }
  return names;
}

/** The hostile server depooled by `ops<i>`, and the instance depooled, with hostile reasons. */
function withOverride(snap: StatusSnapshot): StatusSnapshot {
  const o = { state: 'depooled' as const, reason: HOSTILE, author: 'ops<i>', since: '1970-01-01T00:00:00.000Z', expires: null };
  const pools = snap.coordinator.pools.map((p) => ({
    ...p, servers: p.servers.map((s) => (s.host === HOST ? { ...s, override: { ...o, pool: p.name, host: s.host, forced: true } } : s)),
  }));
  return { ...snap, coordinator: { ...snap.coordinator, pools, overrides: { servers: [], instance: o } } };
}

async function snapshot(): Promise<StatusSnapshot> {
  const clock = new FakeClock();
  const web: ServiceSpec = { name: `web<b>`, ip: '10.2.1.1', port: 80, protocol: 'tcp', depoolThreshold: 0.5, monitors: ['ProxyFetch'], bgp: true };
  const c = new Coordinator({
    clock, log: silentLogger, resolver: async () => ['10.0.0.9'],
    health: { start: () => {}, stop: () => {} }, ipvs: { applyChanges: () => {} }, speaker: { setAdvertised: () => {} },
  });
  c.configure([web], { nextHopV4: '192.0.2.10', med: 10, withdrawPolicy: 'all-down', communities: [], largeCommunities: [], asPathPrepend: 0 });
  await c.updatePool(web.name, [{ host: '10.0.0.1', weight: 10, enabled: true }, { host: HOST, weight: 5, enabled: true }]);
  await new Promise((r) => setImmediate(r));
  c.monitorResult(web.name, '10.0.0.1', 'ProxyFetch', { up: true, reason: 'ok' });
  c.monitorResult(web.name, HOST, 'ProxyFetch', { up: false, reason: HOSTILE });
  clock.advance(65_000);
  return {
    coordinator: c.status(), ipvs: null, startedAt: 0, now: clock.wallNow(), loopLag: null,
    bgp: {
      enabled: true, localAs: 64600, peers: [{
        peer: '127.0.0.2', peerAs: 64601, localIp: null, state: 'Established', establishedSince: clock.wallNow() - 3_600_000, holdTime: 30,
        capabilities: [], prefixesAdvertised: 1, prefixesReceived: 0, side: 'active', lastNotificationSent: null,
        lastNotificationReceived: { code: 6, subcode: 2, name: 'Cease/Administrative Shutdown', message: HOSTILE, at: 0 },
      }],
    },
    checks: { histograms: [], series: [{ service: web.name, host: '10.0.0.1', monitor: 'ProxyFetch', durations: [], recentMs: [3, 5, 4] }] },
    events: [{ at: 1000, level: 'warn', msg: `server down: ${HOSTILE}`, ctx: { service: web.name, server: HOST } }],
  };
}

t.test('everything from config, pools, monitors, peers and logs is escaped', async (t) => {
  const snap = await snapshot();
  const page = renderPage(withOverride(snap));
  t.notOk(page.includes('<script>alert'), 'no hostile script element');
  t.notOk(page.includes('<img'), 'no hostile img element');
  t.notOk(page.includes('<b>') || page.includes('<i>'), 'no markup from names');
  t.match(page, '&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;', 'the reason is shown, escaped');
  t.match(page, 'ProxyFetch: &lt;script&gt;', 'why down: the monitor reason');
  t.equal((page.match(/<script/g) ?? []).length, 1, 'the only script element is the page script');
  t.match(page, '<script src="/page/app.js" defer></script>');
  t.same(attributeNames(page).filter((n) => n.startsWith('on') || n === 'style'), [], 'no inline style or handler attributes (CSP)');
  t.notOk(/token"[^>]*value=/.test(page), 'the token field is never filled by the server');
  t.match(page, /badge warn">depooled<\/span> <span class="badge bad">forced<\/span> &lt;script&gt;/, "the server's override and its reason");
  t.match(page, /by ops&lt;i&gt; <time/, 'its author');
  t.match(page, /This balancer is depooled:/, 'the instance override');
});

t.test('what the page shows', async (t) => {
  const snap = await snapshot();
  const live = renderLive(snap);
  t.match(live, /<h3 id="pool-web_3c_b_3e_">web&lt;b&gt; <small>10\.2\.1\.1:80\/tcp<\/small><\/h3>/, 'the pool');
  t.match(live, /1 of 2 up, 1 pooled/, 'pool counts');
  t.match(live, /badge bad">down</, 'a down server');
  t.match(live, /<svg role="img" aria-label="ProxyFetch: last 3 checks 3\.0–5\.0 ms, latest 4\.0 ms"/, 'the sparkline');
  t.match(live, /1m5s ago/, 'since when');
  t.match(live, /127\.0\.0\.2: <span class="badge good">announced<\/span> <small>MED 10<\/small>/, 'the VIP per peer');
  t.match(live, /1h0m0s/, 'session uptime');
  t.match(live, /received 6\/2 Cease\/Administrative Shutdown/, 'last NOTIFICATION');
  t.match(live, /Last 1 events/, 'events');
  t.match(live, /CRITICAL|WARNING|OK/, 'alert summary');
  t.match(live, `id="${domId('act', 'web<b>', HOST)}"`, 'a per-server action button with a stable id');
  t.notOk(renderLive({ ...snap, events: undefined }).includes('id="events"'), 'no events section without a ring');
});

t.test('sparkline SVG', async (t) => {
  t.equal(sparkPoints([0, 10], 10, 12), '0,11 10,1', 'scaled to the maximum, 1px padding');
  t.equal(sparkPoints([5], 10, 12), '0,1');
  t.equal(sparkPoints([Number.NaN, -1, 0], 10, 12), '0,11 5,11 10,11', 'bad values drawn as 0; all-zero does not divide by 0');
  t.equal(sparkPoints([]), '');
  t.match(sparkline([], 'x'), /—/, 'no samples: a dash');
  const s = sparkline([1, 250], `m<"`);
  t.match(s, /^<span class="spark"><svg role="img" aria-label="m&lt;&quot;: last 2 checks 1\.0–250 ms, latest 250 ms" width="64" height="16"/);
  t.match(s, /<polyline fill="none" stroke="currentColor" stroke-width="1.5" points="0,[\d.]+ 64,1"\/>/);
});

t.test('helpers', async (t) => {
  t.equal(esc(`<a href='x'>&"`), '&lt;a href=&#39;x&#39;&gt;&amp;&quot;');
  t.equal(esc(null), '');
  t.equal(domId('act', 'a b', 'c'), 'act-a_20_b--c');
  const v = { ip: '10.2.1.1', prefix: '10.2.1.1/32', announced: true, reason: 'r', med: 10, degraded: false, policy: 'all-down' as const, services: [] };
  const p = { peer: 'p', peerAs: 1, localIp: null, state: 'Active', establishedSince: null, holdTime: null, capabilities: [], prefixesAdvertised: 0,
    prefixesReceived: 0, side: null, lastNotificationSent: null, lastNotificationReceived: null };
  t.same(vipAtPeer(v, p), { announced: false, why: 'session Active' });
  t.same(vipAtPeer(v, { ...p, state: 'Established', prefixesRefused: ['10.2.1.1/32'] }), { announced: false, why: 'over bgp-max-announce' });
  t.same(vipAtPeer({ ...v, announced: false, reason: 'all servers down' }, p), { announced: false, why: 'all servers down' });
});

t.test('the page script is valid JavaScript and never writes the token into the document', async (t) => {
  const { APP_JS } = await import('./app-js.js');
  t.doesNotThrow(() => new Function(APP_JS), 'parses');
  t.notMatch(APP_JS, /localStorage|document\.cookie|\.setAttribute\('value'/, 'the token goes to sessionStorage only');
  t.match(APP_JS, /sessionStorage\.setItem\(KEY, token\.value\)/);
});
