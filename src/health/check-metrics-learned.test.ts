// timeout = auto (issue 16 §5): each server's learned deadline on its series, and per (service,
// monitor) the spread of the current deadlines, kept in step as deadlines change and servers leave.
import t from 'tap';
import { CHECK_BUCKETS_S, CheckMetrics } from './check-metrics.js';

const ok = { up: true, reason: '', ms: 1 };
const at = (s: number) => CHECK_BUCKETS_S.indexOf(s);

t.test('a series carries its learned deadline; the histogram counts servers by current deadline', async (t) => {
  const m = new CheckMetrics();
  m.record('web', 'a', 'ProxyFetch', ok, { deadlineMs: 500, p99Ms: 0, samples: 3 });
  m.record('web', 'b', 'ProxyFetch', ok, { deadlineMs: 500, p99Ms: 0, samples: 3 });
  let h = m.histogramList()[0]!;
  t.same(h.learned, { buckets: CHECK_BUCKETS_S.map((b) => (b >= 0.5 ? 2 : 0)), count: 2, sumSeconds: 1 }, 'both at the ceiling');
  m.record('web', 'a', 'ProxyFetch', ok, { deadlineMs: 25, p99Ms: 1.19, samples: 20 });
  t.same(m.series('web', 'a', 'ProxyFetch')?.learned, { deadlineMs: 25, p99Ms: 1.19, samples: 20 });
  h = m.histogramList()[0]!;
  t.equal(h.learned!.count, 2, 'a server counts once, at its current deadline');
  t.equal(h.learned!.buckets[at(0.025)], 1);
  t.equal(h.learned!.buckets[at(0.25)], 1, 'cumulative: a within 0.25 s, b not');
  t.equal(h.learned!.buckets[at(0.5)], 2);
  t.equal(h.learned!.sumSeconds, 0.525);
  m.forget('web', 'b');
  h = m.histogramList()[0]!;
  t.same([h.learned!.count, h.learned!.buckets[at(0.5)]], [1, 1], 'a server that left no longer counts');
  m.forget('web', 'a');
  t.equal(m.histogramList()[0]!.learned, undefined, 'no auto server left: no spread');
  t.equal(m.histogramList()[0]!.count, 3, 'the check-duration histogram keeps counting for the service');
});

t.test('a fixed timeout has none; a monitor switched from auto to fixed drops it', async (t) => {
  const m = new CheckMetrics();
  m.record('web', 'a', 'TCP', ok);
  t.equal(m.series('web', 'a', 'TCP')?.learned, undefined);
  t.equal(m.histogramList()[0]!.learned, undefined);
  m.record('web', 'a', 'TCP', ok, { deadlineMs: 25, p99Ms: 1, samples: 20 });
  m.record('web', 'a', 'TCP', ok, null);
  t.equal(m.series('web', 'a', 'TCP')?.learned, undefined);
  t.equal(m.histogramList()[0]!.learned, undefined);
});
