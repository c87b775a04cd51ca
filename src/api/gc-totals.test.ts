import t from 'tap';
import { constants } from 'node:perf_hooks';
import { addGcEntry, emptyGcTotals, GcMonitor } from './gc-totals.js';
import { metricsText } from './metrics.js';
import type { StatusSnapshot } from './types.js';

t.test('each entry counts under its kind, its duration summed in seconds; other kinds are not counted', async (t) => {
  const g = emptyGcTotals();
  addGcEntry(g, constants.NODE_PERFORMANCE_GC_MAJOR, 12);
  addGcEntry(g, constants.NODE_PERFORMANCE_GC_MAJOR, 3);
  addGcEntry(g, constants.NODE_PERFORMANCE_GC_MINOR, 0.5);
  addGcEntry(g, -1, 100);
  t.same(g.major, { count: 2, seconds: 0.015 });
  t.same(g.minor, { count: 1, seconds: 0.0005 });
  t.same([g.incremental.count, g.weakcb.count], [0, 0]);
});

t.test("the monitor sees this thread's young-generation collections; a reading is a copy", async (t) => {
  const m = new GcMonitor();
  t.teardown(() => m.stop());
  let keep: unknown[] = [];
  // garbage until a young collection has been reported (entries arrive on a later turn), bounded
  for (let round = 0; round < 200 && m.read().minor.count === 0; round++) {
    keep = [];
    for (let i = 0; i < 20_000; i++) keep.push({ i, s: `x${i}` });
    await new Promise((r) => setImmediate(r));
  }
  const r = m.read();
  t.ok(r.minor.count > 0, `minor collections seen: ${r.minor.count}`);
  t.ok(r.minor.seconds > 0);
  r.minor.count = -5;
  t.not(m.read().minor.count, -5);
  t.ok(keep.length > 0);
});

t.test('/metrics: the main thread collections and pauses by kind, counters', async (t) => {
  const gc = emptyGcTotals();
  gc.major = { count: 7, seconds: 0.25 };
  gc.minor = { count: 120, seconds: 0.5 };
  const snap: StatusSnapshot = {
    coordinator: { pools: [], vips: [], alerts: [] }, bgp: { enabled: false, localAs: 0, peers: [] }, ipvs: null,
    startedAt: 0, now: 1000, loopLag: null, gc,
  } as unknown as StatusSnapshot;
  const m = metricsText(snap);
  t.match(m, '# TYPE vipd_gc_collections_total counter\n');
  t.match(m, 'vipd_gc_collections_total{kind="major"} 7.0\n');
  t.match(m, 'vipd_gc_collections_total{kind="minor"} 120.0\n');
  t.match(m, 'vipd_gc_pause_seconds_total{kind="major"} 0.25\n');
  const without = metricsText({ ...snap, gc: undefined } as StatusSnapshot);
  t.notMatch(without, 'vipd_gc_collections_total');
});
