// Check series packed for the worker: what goes in comes out, per host, whole or sliced.
import t from 'tap';
import type { CheckSeries } from '../health/index.js';
import { packSeries, sliceSeries, unpackSeries } from './series-pack.js';

const series = (host: string, monitor: string, over: Partial<CheckSeries> = {}): CheckSeries =>
  ({ service: 'web_80', host, monitor, durations: [], recentMs: [], ...over });

/** Per host: null (unchanged), none, or several series with every optional part somewhere. */
const perHost = (): (CheckSeries[] | null)[] => [
  [series('a', 'ProxyFetch', {
    durations: [{ result: 'successful', url: 'http://x/', seconds: 0.012 }, { result: 'failed', url: 'http://y/', seconds: 5 }],
    recentMs: [1.5, 2.25, 12],
  })],
  null,
  [],
  [
    series('d', 'IdleConnection', { connections: { failed: { ECONNREFUSED: 2 }, lost: {} }, recentMs: [] }),
    series('d', 'RunCommand', { durations: [{ result: 'failed', exitcode: 'None', seconds: 20 }], learned: { deadlineMs: 120, p99Ms: 40, samples: 30 } }),
    { service: 'web_80', host: 'd', monitor: 'DNSQuery', durations: [{ result: 'successful', seconds: 0.003 }] }, // no recentMs at all
  ],
  null,
  [series('f', 'ProxyFetch', { durations: [{ result: 'successful', url: 'http://x/', seconds: 0.5 }], recentMs: [0.5] })],
];
const hosts = ['a', 'b', 'c', 'd', 'e', 'f'];

t.test('every host\'s series come back as they went in; unchanged ones as null', async (t) => {
  const want = perHost();
  const p = packSeries(want);
  hosts.forEach((h, i) => t.same(unpackSeries(p, i, 'web_80', h), want[i], h));
  t.equal(p.strings.filter((s) => s === 'http://x/').length, 1, 'a label value once, however many series carry it');
  t.ok(!('recentMs' in unpackSeries(p, 3, 'web_80', 'd')![2]!), 'absent recentMs stays absent');
  t.same(Object.keys(unpackSeries(p, 3, 'web_80', 'd')![1]!), ['service', 'host', 'monitor', 'durations', 'recentMs', 'learned']);
});

t.test('a slice of hosts reads as the whole pack did, for every cut', async (t) => {
  const want = perHost();
  const p = packSeries(want);
  for (let from = 0; from <= hosts.length; from++) {
    for (let to = from; to <= hosts.length; to++) {
      const part = sliceSeries(p, from, to);
      t.equal(part.sent.length, to - from);
      for (let i = from; i < to; i++) t.same(unpackSeries(part, i - from, 'web_80', hosts[i]!), want[i], `${from}..${to} ${hosts[i]}`);
    }
  }
  t.equal(sliceSeries(p, 3, 4).recent.buffer.byteLength, 0, 'a slice copies its own numbers (d has no latencies)');
});

t.test('no hosts, no series', async (t) => {
  const p = packSeries([]);
  t.equal(p.first.length, 1);
  t.same(sliceSeries(p, 0, 0).monitor.length, 0);
});
