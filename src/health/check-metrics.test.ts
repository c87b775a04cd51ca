import t from 'tap';
import { CHECK_BUCKETS_S, CheckMetrics, LATENCY_SAMPLES } from './check-metrics.js';

t.test("PyBal's label sets: ProxyFetch per URL, DNSQuery by result, RunCommand by exit code; last value kept", async (t) => {
  const m = new CheckMetrics();
  m.record('web', 'a', 'ProxyFetch', { up: true, reason: '', ms: 30, requests: [{ url: 'http://x/1', up: true, ms: 12 }, { url: 'http://x/2', up: false, ms: 25 }] });
  m.record('web', 'a', 'ProxyFetch', { up: true, reason: '', ms: 30, requests: [{ url: 'http://x/1', up: true, ms: 8 }] });
  m.record('dns', 'a', 'DNSQuery', { up: false, reason: 'timeout', ms: 5000 });
  m.record('cmd', 'a', 'RunCommand', { up: true, reason: '', ms: 100, details: { exitCode: 0, signal: '' } });
  m.record('cmd', 'a', 'RunCommand', { up: false, reason: '', ms: 200, details: { exitCode: 3, signal: '' } });
  m.record('cmd', 'a', 'RunCommand', { up: false, reason: 'timeout after 20000 ms', ms: 20000 });
  m.record('cmd', 'a', 'RunCommand', { up: false, reason: '', ms: 20000, details: { exitCode: -1, signal: 'SIGKILL' } });
  const st = m.status();
  const of = (svc: string) => st.series.find((s) => s.service === svc)!.durations;
  t.same(of('web'), [
    { result: 'successful', url: 'http://x/1', seconds: 0.008 },
    { result: 'failed', url: 'http://x/2', seconds: 0.025 },
  ]);
  t.same(of('dns'), [{ result: 'failed', seconds: 5 }]);
  t.same(of('cmd'), [
    { result: 'successful', exitcode: '0', seconds: 0.1 },
    { result: 'failed', exitcode: '3', seconds: 0.2 },
    { result: 'failed', exitcode: 'None', seconds: 20 },
  ], "no exit of its own is PyBal's exitcode=None");
});

t.test('IdleConnection counts are taken as the monitor reports them; histogram per (service, monitor)', async (t) => {
  const m = new CheckMetrics();
  m.record('web', 'a', 'IdleConnection', { up: false, reason: '', ms: 0, connections: { failed: { ECONNREFUSED: 2 }, lost: {} } });
  m.record('web', 'a', 'IdleConnection', { up: false, reason: '', ms: 0.2, connections: { failed: { ECONNREFUSED: 3 }, lost: { ECONNRESET: 1 } } });
  m.record('web', 'b', 'IdleConnection', { up: true, reason: '', ms: 7000 });
  const st = m.status();
  t.same(st.series.find((s) => s.host === 'a')?.connections, { failed: { ECONNREFUSED: 3 }, lost: { ECONNRESET: 1 } });
  const h = st.histograms.find((x) => x.monitor === 'IdleConnection')!;
  t.equal(h.count, 3);
  t.equal(h.buckets[0], 2, 'two within the first bucket');
  t.equal(h.buckets[CHECK_BUCKETS_S.indexOf(10)], 3, 'cumulative');
  t.equal(h.buckets[CHECK_BUCKETS_S.indexOf(5)], 2);
  t.equal(h.sumSeconds, 7.0002);
  m.forget('web', 'a');
  t.same(m.status().series.map((s) => s.host), ['b'], 'a removed server\'s series go');
  t.equal(m.status().histograms.length, 1, 'the histogram stays with the service');
  m.forgetService('web');
  t.same(m.status(), { series: [], histograms: [] });
});

t.test('the last LATENCY_SAMPLES check durations per server and monitor, oldest first (the page sparkline)', async (t) => {
  const m = new CheckMetrics();
  m.record('web', 'a', 'ProxyFetch', { up: true, reason: '', ms: 7 });
  t.same(m.status().series[0]!.recentMs, [7]);
  for (let i = 1; i <= LATENCY_SAMPLES + 3; i++) m.record('web', 'a', 'ProxyFetch', { up: i % 2 === 0, reason: '', ms: i });
  m.record('web', 'a', 'ProxyFetch', { up: false, reason: '', ms: Number.NaN });
  const got = m.status().series[0]!.recentMs!;
  t.equal(got.length, LATENCY_SAMPLES, 'bounded');
  t.same(got, [...Array.from({ length: LATENCY_SAMPLES - 1 }, (_, i) => i + 5), 0], 'oldest first, a non-number kept as 0');
});

t.test("a forgotten server's latency slot is reused by the next", async (t) => {
  const m = new CheckMetrics();
  m.record('web', 'a', 'ProxyFetch', { up: true, reason: '', ms: 1 });
  m.forget('web', 'a');
  m.record('web', 'b', 'ProxyFetch', { up: true, reason: '', ms: 2 });
  t.same(m.status().series.map((s) => [s.host, s.recentMs]), [['b', [2]]], 'the new series starts empty, not with the old samples');
});

t.test('several monitors on one server: each its own series, found, counted and forgotten together', async (t) => {
  const m = new CheckMetrics();
  for (const monitor of ['ProxyFetch', 'IdleConnection', 'RunCommand']) m.record('web', 'a', monitor, { up: true, reason: '', ms: 1 });
  m.record('web', 'b', 'ProxyFetch', { up: true, reason: '', ms: 4 });
  m.record('web', 'a', 'IdleConnection', { up: false, reason: '', ms: 2 });
  m.record('web', 'a', 'RunCommand', { up: true, reason: '', ms: 3, details: { exitCode: 0, signal: '' } });
  t.same(m.status().series.map((s) => [s.host, s.monitor, s.recentMs]),
    [['a', 'ProxyFetch', [1]], ['a', 'IdleConnection', [1, 2]], ['a', 'RunCommand', [1, 3]], ['b', 'ProxyFetch', [4]]]);
  t.same(m.series('web', 'a', 'RunCommand')?.recentMs, [1, 3], 'the third monitor found by name');
  t.equal(m.series('web', 'a', 'DNSQuery'), null, 'a monitor without results has no series');
  m.forget('web', 'a');
  t.same(m.status().series.map((s) => s.host), ['b'], "all of a's series go");
  m.record('web', 'c', 'ProxyFetch', { up: true, reason: '', ms: 5 });
  m.record('web', 'd', 'ProxyFetch', { up: true, reason: '', ms: 6 });
  m.record('web', 'e', 'ProxyFetch', { up: true, reason: '', ms: 7 });
  t.same(m.status().series.map((s) => [s.host, s.recentMs]), [['b', [4]], ['c', [5]], ['d', [6]], ['e', [7]]], "a's three latency slots released and reused clean");
});
