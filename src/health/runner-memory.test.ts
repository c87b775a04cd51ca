// Issue 13 §3: the health side's state per realserver stays compact at 10,000 servers: the
// runner's entry (one wheel, no timer or closure per server) and the metrics a result leaves.
import t from 'tap';
import { FakeClock } from '../../test/support/fake-clock.js';
import { settledHeap } from '../../test/support/settled-heap.js';
import { millis } from '../time/clock.js';
import { CheckMetrics } from './check-metrics.js';
import type { CheckResult, Monitor, Target } from './monitor.js';
import { HealthRunner } from './runner.js';

const flush = (): Promise<void> => new Promise((r) => setImmediate(r));
const SERVERS = 10_000;

/** Answers at once, as ProxyFetch does against a healthy server (one URL, one request series). */
class Instant implements Monitor {
  readonly kind = 'ProxyFetch';
  readonly schedule = { intervalMs: millis(1000), timeoutMs: millis(500), rise: 2, fall: 2 };
  checks = 0;
  check(): Promise<CheckResult> {
    this.checks++;
    return Promise.resolve({ up: true, reason: 'http://x.example/healthz: HTTP 200', ms: 1.5, requests: [{ url: 'http://x.example/healthz', up: true, ms: 1.4 }] });
  }
}

t.test(`10,000 servers: under 850 bytes of heap each for the runner and the check metrics, every server checked each interval`, async (t) => {
  const clock = new FakeClock();
  const m = new Instant();
  const metrics = new CheckMetrics();
  // Targets are the pool's (the coordinator holds them anyway): built before the first measure.
  const targets: Target[] = Array.from({ length: SERVERS }, (_, i) => ({ host: `rs${i}.eqiad.wmnet`, ip: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`, port: 80 }));
  const before = await settledHeap();
  const runner = new HealthRunner({
    clock, onTransition: () => {}, onResult: (target, monitor, r) => metrics.record('svc', target.host, monitor, r),
  });
  for (const x of targets) runner.add(x, m);
  for (let ms = 0; ms < 3000; ms += 10) { clock.advance(10); await flush(); }
  const perServer = ((await settledHeap()) - before) / SERVERS;
  t.ok(m.checks >= 3 * SERVERS - 1 && m.checks <= 3 * SERVERS, `${m.checks} checks in 3 intervals`);
  t.equal(clock.pendingCount, 1, 'one timer for every server');
  // 1,104 before the runner's keys were flattened and the check metrics lost their Map per server and their lists grown by push (session 14: 673)
  t.ok(perServer < 850, `${perServer.toFixed(0)} bytes per server`);
  t.comment(`${perServer.toFixed(0)} bytes of heap per server (runner + check metrics)`);
  t.equal(runner.scheduleStats().late, 0);
  runner.stop();
  t.equal(clock.pendingCount, 0);
});

t.test('10,000 servers added at once: first checks spread evenly over one interval, first round done within it', async (t) => {
  const clock = new FakeClock();
  const starts: number[] = [];
  const m = new Instant();
  const probe: Monitor = { kind: m.kind, schedule: m.schedule, check: () => { starts.push(clock.now()); return m.check(); } };
  const runner = new HealthRunner({ clock, onTransition: () => {} });
  for (let i = 0; i < SERVERS; i++) runner.add({ host: `rs${i}`, ip: '10.0.0.1', port: 80 + (i % 1000) + Math.floor(i / 1000) * 1000 }, probe);
  for (let ms = 0; ms < 1000; ms += 10) { clock.advance(10); await flush(); }
  t.equal(starts.length, SERVERS, 'every server checked once within the first interval');
  const perTenth = Array.from({ length: 10 }, (_, k) => starts.filter((s) => s >= k * 100 && s < (k + 1) * 100).length);
  t.ok(perTenth.every((n) => n > 800 && n < 1200), `about 1,000 starts per 100 ms: ${perTenth.join(', ')}`);
  const s = runner.scheduleStats();
  t.ok(s.firstRoundMs !== null && s.firstRoundMs <= 1000, `first round ${s.firstRoundMs} ms`);
  t.equal(s.late, 0);
  runner.stop();
});
