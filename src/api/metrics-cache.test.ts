import t from 'tap';
import type { ServerStatus } from '../coordinator/status.js';
import { keptTimes, MetricsCache, scrapeAnswer } from './metrics-cache.js';
import { metricsText } from './metrics.js';
import type { StatusSnapshot } from './types.js';

const server = (i: number, up: boolean): ServerStatus => ({
  host: `h${i}`, ip: `10.255.${i >> 8}.${i & 255}`, port: 80, weight: 10, enabled: true, ready: true, up, partiallyUp: up, pooled: up,
  pooledDown: false, monitors: [{ name: 'ProxyFetch', up, reason: 'r', since: 0, durationMs: 1, upTransitions: 1, downTransitions: 0, upResults: i, downResults: 0 }],
});
const snap = (n: number, up: boolean): StatusSnapshot => ({
  coordinator: {
    pools: [{
      name: 'web', ip: '10.2.1.1', port: 80, protocol: 'tcp', depoolThreshold: 0.5, canDepool: true, delivered: true, firstRoundDone: true,
      pooledDown: [], couldNotDepoolTotal: 0, servers: Array.from({ length: n }, (_, i) => server(i, up)),
    }],
    vips: [], alerts: [],
  },
  bgp: { enabled: false, localAs: null, peers: [] }, ipvs: null, startedAt: 0, now: 1000, loopLag: null,
});

/** A cache whose slices run only when the test says, on a clock that advances 1 ms per reading. */
function manual(): { cache: MetricsCache; queue: (() => void)[]; drain(): number } {
  let ms = 0;
  const queue: (() => void)[] = [];
  const cache = new MetricsCache({ now: () => ms++, sliceMs: 1, later: (fn) => queue.push(fn) });
  return { cache, queue, drain: () => { let k = 0; for (; queue.length && k < 100_000; k++) queue.shift()!(); return k; } };
}

t.test('the kept body is what metricsText renders, built in several slices', async (t) => {
  const m = manual();
  t.equal(m.cache.body, null, 'nothing before the first render');
  const s = snap(3000, true);
  m.cache.refresh(() => s);
  t.equal(m.cache.body, null, 'a large status is not rendered in one turn');
  const turns = m.drain();
  t.ok(turns > 2, `rendered across ${turns} later turns`);
  t.equal(m.cache.body?.body.toString(), metricsText(s));
  t.equal(m.cache.renders, 1);
});

t.test('a refresh during a render: the last body stays until the newest status is rendered', async (t) => {
  const m = manual();
  const first = snap(2000, true);
  m.cache.refresh(() => first);
  m.drain();
  const old = m.cache.body!.body.toString();
  m.cache.refresh(() => snap(2000, false));
  m.cache.refresh(() => snap(2000, true)); // superseded before it started
  const newest = snap(2001, false);
  m.cache.refresh(() => newest);
  t.equal(m.cache.body!.body.toString(), old, 'scrapes meanwhile get the complete previous body');
  m.drain();
  t.equal(m.cache.body!.body.toString(), metricsText(newest), 'the newest status wins');
  t.equal(m.cache.renders, 3, 'the one running, then only the newest: nothing queues up');
});

t.test('the work of the last render is measured (the worker renders cheap ones on the scrape)', async (t) => {
  const m = manual();
  m.cache.refresh(() => snap(10, true));
  m.drain();
  const small = m.cache.lastRenderMs;
  m.cache.refresh(() => snap(3000, true));
  m.drain();
  t.ok(m.cache.lastRenderMs > small, `3,000 servers: ${m.cache.lastRenderMs} clock readings of work, 10: ${small}`);
});

t.test('rendered() resolves once the render under way completes (a first scrape waits for it)', async (t) => {
  const m = manual();
  await m.cache.rendered(); // nothing under way: at once
  m.cache.refresh(() => snap(3000, true));
  t.ok(m.cache.rendering);
  let done = false;
  const p = m.cache.rendered().then(() => { done = true; });
  await Promise.resolve();
  t.notOk(done, 'not before the render completed');
  m.drain();
  await p;
  t.ok(done && m.cache.body !== null && !m.cache.rendering, 'resolved with the body there');
});

t.test('a scrape at a large balancer never renders on the spot; many waiting scrapes share one render', async (t) => {
  const o = { keptServers: 2000, maxAgeMs: 5000, lastRenderMs: 900, freshRenderMs: 20 };
  t.equal(scrapeAnswer({ ...o, servers: 19_000, bodyAgeMs: 1000 }), 'kept');
  t.equal(scrapeAnswer({ ...o, servers: 19_000, bodyAgeMs: 9000 }), 'wait', 'a stale body: wait for the render, not one per scrape');
  t.equal(scrapeAnswer({ ...o, servers: 19_000, bodyAgeMs: null }), 'wait', 'no body yet: the same');
  t.equal(scrapeAnswer({ ...o, servers: 10, bodyAgeMs: 1000, lastRenderMs: 2 }), 'fresh', 'a small, cheap one is rendered fresh');
  t.equal(scrapeAnswer({ ...o, servers: 10, bodyAgeMs: 1000 }), 'kept', 'a small but costly one is kept while current');
  t.equal(scrapeAnswer({ ...o, servers: 10, bodyAgeMs: 9000 }), 'fresh', '…and rendered on the spot when stale (cheap enough at that size)');

  // What the worker does on 'wait': start a render unless one runs, then wait for it.
  const m = manual();
  const s = snap(3000, true);
  const waits: Promise<void>[] = [];
  for (let i = 0; i < 100; i++) {
    if (!m.cache.rendering) m.cache.refresh(() => s);
    waits.push(m.cache.rendered());
  }
  m.drain();
  await Promise.all(waits);
  t.equal(m.cache.renders, 1, '100 scrapes of a stale body: one render');
  t.equal(m.cache.body?.body.toString(), metricsText(s));
});

t.test('the kept text is re-rendered on a period that stretches with its cost', async (t) => {
  t.same(keptTimes({ scraping: true, big: true, lastRenderMs: 40 }), { refreshMs: 1000, maxAgeMs: 5000 }, 'cheap: every second while scraped');
  t.same(keptTimes({ scraping: true, big: true, lastRenderMs: 700 }), { refreshMs: 1400, maxAgeMs: 6200 }, '0.7 s of work: every 1.4 s');
  t.same(keptTimes({ scraping: true, big: true, lastRenderMs: 3000 }).refreshMs, 2000, 'never staler than 2 s plus a render while scraped');
  t.same(keptTimes({ scraping: false, big: true, lastRenderMs: 40 }), { refreshMs: 5000, maxAgeMs: 8000 }, 'nobody scrapes a large balancer: every 5 s');
  t.same(keptTimes({ scraping: false, big: true, lastRenderMs: 400 }), { refreshMs: 8000, maxAgeMs: 11_000 }, '…or 20 × its work (5%)');
  t.equal(keptTimes({ scraping: false, big: false, lastRenderMs: 5 }).refreshMs, Infinity, 'a small one nobody scrapes is not kept');
  for (const scraping of [true, false]) {
    for (const ms of [1, 100, 1000, 5000]) {
      const k = keptTimes({ scraping, big: true, lastRenderMs: ms });
      if (!scraping) t.ok(ms / k.refreshMs <= 0.05, `idle, render work ${ms} ms: at most 5% of a core`);
      t.ok(k.maxAgeMs > k.refreshMs + ms, 'a body is served until the next render is done');
    }
  }
});
