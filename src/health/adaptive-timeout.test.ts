import t from 'tap';
import { AdaptiveTimeouts, bucketEdge, bucketOf, FLOOR_MS, learnedDeadline, WARMUP, WINDOW } from './adaptive-timeout.js';
import { millis, type Millis } from '../time/clock.js';
import type { Schedule } from './monitor.js';

const CEILING = 500;
const sched: Schedule = { intervalMs: millis(1000) as Millis, timeoutMs: millis(CEILING), rise: 1, fall: 1, auto: { ceilingMs: CEILING, floorMs: FLOOR_MS } };

/** Runs checks whose answers take `latencies` ms (Infinity: hung) through the rule; what each check saw. */
function run(latencies: number[], store = new AdaptiveTimeouts(), slot = store.alloc()): { deadlines: number[]; failed: number[] } {
  const deadlines: number[] = [];
  const failed: number[] = [];
  latencies.forEach((ms, i) => {
    const d = store.timeoutMs(slot, sched);
    deadlines.push(d);
    const up = ms <= d;
    if (!up) failed.push(i);
    store.observe(slot, { up, reason: up ? 'HTTP 200' : `timeout after ${d} ms`, ms: up ? ms : d }, d);
  });
  return { deadlines, failed };
}

/** A seeded generator, so the series are the same on every run. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => { s = (Math.imul(s, 1664525) + 1013904223) >>> 0; return s / 2 ** 32; };
}
const steady = (n: number, ms: number, jitter: number, r = rng(1)): number[] => Array.from({ length: n }, () => ms * (1 + jitter * r()));

t.test('buckets: every answer lands in a bucket whose edge is at or above it, at most √2 above', async (t) => {
  for (const ms of [0.01, 0.25, 0.3, 1, 1.2, 7, 25, 99.9, 500, 3000]) {
    const e = bucketEdge(bucketOf(ms));
    t.ok(e >= ms && e <= Math.max(0.25, ms * Math.SQRT2 + 1e-9), `${ms} ms → edge ${e}`);
  }
});

t.test('the ceiling until WARMUP good answers, the learned deadline after', async (t) => {
  const { deadlines } = run(steady(WARMUP + 5, 1, 0.2));
  t.ok(deadlines.slice(0, WARMUP).every((d) => d === CEILING), 'ceiling while learning');
  t.equal(deadlines.at(-1), FLOOR_MS, 'a 1 ms server gets the 25 ms floor');
  t.equal(learnedDeadline({ p99: 100, max: 100, samples: WARMUP }, CEILING), CEILING, 'never above the ceiling');
  t.equal(learnedDeadline({ p99: 1, max: 1, samples: WARMUP }, 10, 10), 10, 'floor clamped by a lower ceiling');
});

t.test('steady: no failure, the deadline tracks 12 × p99', async (t) => {
  const { deadlines, failed } = run(steady(1000, 8, 0.25));
  t.same(failed, []);
  const d = deadlines.at(-1)!;
  t.ok(d >= 12 * 10 && d <= 12 * 10 * Math.SQRT2 + 1, `8–10 ms answers → deadline ${d} ms`);
});

t.test('hung: a fast server is declared down within the floor, then each expiry widens 4×', async (t) => {
  const { deadlines, failed } = run([...steady(300, 1, 0.3), Infinity, Infinity, Infinity, Infinity, ...steady(2 * WINDOW + 1, 1, 0.3)]);
  t.equal(failed[0], 300, 'the first hung check fails');
  const edge = (ms: number): number => Math.ceil(4 * bucketEdge(bucketOf(ms)));
  t.same(deadlines.slice(300, 304), [FLOOR_MS, edge(FLOOR_MS), Math.min(CEILING, edge(edge(FLOOR_MS))), CEILING], 'then 128 ms, then the 500 ms ceiling');
  t.equal(deadlines.at(-1), FLOOR_MS, 'once the window has forgotten the hang, the floor again');
});

t.test('a sudden 10× shift of a steady server fails no check', async (t) => {
  for (const base of [1, 3, 10, 30]) {
    const { failed } = run([...steady(300, base, 0.2), ...steady(300, base * 10, 0.2, rng(2))]);
    t.same(failed, [], `${base} ms → ${base * 10} ms`);
  }
});

t.test('a gradual shift (×1.5 per check, 1 ms → 400 ms) fails no check', async (t) => {
  const ramp = Array.from({ length: 16 }, (_, i) => 1.5 ** i);
  const { failed } = run([...steady(200, 1, 0.2), ...ramp, ...steady(100, 400, 0.1)]);
  t.same(failed, []);
});

t.test('bimodal: a slow mode seen in the window never fails', async (t) => {
  const r = rng(3);
  const series = Array.from({ length: 3000 }, () => (r() < 0.05 ? 60 + 40 * r() : 1 + r()));
  const { failed, deadlines } = run(series);
  t.same(failed, [], '1 ms answers and 1 in 20 at 60–100 ms (learned while the ceiling held)');
  t.ok(deadlines.at(-1)! >= 4 * 60, `deadline ${deadlines.at(-1)} ms covers the 60–100 ms mode`);
});

t.test('bimodal, slow mode rarer than the window: isolated single failures, never two in a row', async (t) => {
  const r = rng(5);
  const series = [...steady(100, 1, 0.5), ...Array.from({ length: 5000 }, () => (r() < 0.004 ? 60 + 40 * r() : 1 + r()))];
  const { failed } = run(series);
  t.ok(failed.length > 0 && failed.length < 10, `${failed.length} failed checks in 5000`);
  t.ok(failed.every((i, k) => failed[k + 1] !== i + 1), 'no two in a row: fall = 2 keeps the server up');
});

t.test('a shift beyond the rule (40×) costs one failed check, not two in a row', async (t) => {
  const { failed } = run([...steady(300, 2, 0.2), ...steady(50, 80, 0.1, rng(4))]);
  t.same(failed, [300], 'only the first slow check fails: fall = 2 would keep the server up');
});

t.test('the window forgets: after 2 × WINDOW fast answers a slow past no longer widens the deadline', async (t) => {
  const { deadlines } = run([...steady(100, 50, 0.1), ...steady(2 * WINDOW + 1, 1, 0.2)]);
  t.equal(deadlines.at(-1), FLOOR_MS);
});

t.test('slots: released slots start over; a fixed schedule is untouched; the bank grows', async (t) => {
  const store = new AdaptiveTimeouts();
  const a = store.alloc();
  run(steady(100, 1, 0.1), store, a);
  t.equal(store.timeoutMs(a, sched), FLOOR_MS);
  store.release(a);
  const b = store.alloc();
  t.equal(b, a, 'slot reused');
  t.equal(store.timeoutMs(b, sched), CEILING, 'reused slot learns again');
  const fixed: Schedule = { ...sched, auto: undefined, timeoutMs: millis(700) };
  t.equal(store.timeoutMs(-1, sched), CEILING);
  t.equal(store.timeoutMs(b, fixed), 700);
  const slots = Array.from({ length: 1000 }, () => store.alloc());
  run(steady(30, 1, 0.1), store, slots.at(-1)!);
  t.equal(store.timeoutMs(slots.at(-1)!, sched), FLOOR_MS, 'works after growing');
  t.equal(store.timeoutMs(b, sched), CEILING, 'other slots kept');
});

t.test('view: what status shows (the next deadline and the window p99), null for a fixed timeout', async (t) => {
  const store = new AdaptiveTimeouts();
  const a = store.alloc();
  t.same(store.view(a, sched), { deadlineMs: CEILING, p99Ms: 0, samples: 0 }, 'before any answer: the ceiling');
  run(steady(100, 1, 0.1), store, a);
  const v = store.view(a, sched)!;
  t.equal(v.deadlineMs, store.timeoutMs(a, sched), 'the same deadline the next check gets');
  t.equal(v.p99Ms, store.learned(a).p99);
  t.ok(v.p99Ms >= 1 && v.p99Ms < 2, `p99 ${v.p99Ms} ms: 1 ms answers, rounded up to a bucket edge`);
  t.equal(store.view(-1, sched), null);
  t.equal(store.view(a, { ...sched, auto: undefined }), null);
});
