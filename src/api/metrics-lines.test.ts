// Per-server /metrics families: label texts found by label values (no key strings), written per family.
import t from 'tap';
import type { MonitorStatus, PoolStatus, ServerStatus } from '../coordinator/status.js';
import { SLICE, cachedLabels, writeMonitorFamily, writeServerFamily } from './metrics-lines.js';
import { PromWriter } from './prom-text.js';

const monitor = (name: string, up: boolean | null, n: number): MonitorStatus =>
  ({ name, up, upTransitions: n, downTransitions: 0, upResults: n * 10, downResults: 1 } as unknown as MonitorStatus);
const server = (host: string, monitors: MonitorStatus[]): ServerStatus =>
  ({ host, ip: host, port: 80, weight: 10, enabled: true, ready: true, up: true, partiallyUp: false, pooled: true, pooledDown: false, monitors });
const pool = (name: string, servers: ServerStatus[]): PoolStatus => ({ name, servers } as unknown as PoolStatus);

/** What a family writer writes, and how many times it yielded. */
function written(write: (w: PromWriter) => Generator<void, void>): { text: string; yields: number } {
  const w = new PromWriter(16);
  let yields = 0;
  for (const _ of write(w)) yields++;
  return { text: w.finish().toString('utf8'), yields };
}

t.test('a label text is made once per path; paths that differ anywhere get their own', async (t) => {
  let made = 0;
  const make = (text: string) => () => { made++; return text; };
  t.equal(cachedLabels(['f', 'svc', 'h1', 'm'], make('a')), 'a');
  t.equal(cachedLabels(['f', 'svc', 'h1', 'm'], make('other')), 'a', 'found again, not made again');
  t.equal(cachedLabels(['f', 'svc', 'h2', 'm'], make('b')), 'b', 'another host');
  t.equal(cachedLabels(['f', 'svc2', 'h1', 'm'], make('c')), 'c', 'another service');
  t.equal(cachedLabels(['g', 'svc', 'h1', 'm'], make('d')), 'd', 'another family');
  t.equal(made, 4);
});

t.test('a level that held one key takes a second: both found after, at every depth', async (t) => {
  let made = 0;
  const make = (text: string) => () => { made++; return text; };
  const paths = [
    ['d', 'svc', 'h1', 'ProxyFetch', 'ok', 'http://a/'],
    ['d', 'svc', 'h1', 'ProxyFetch', 'error', 'http://a/'], // under 'ProxyFetch' (a One under a One)
    ['d', 'svc', 'h1', 'ProxyFetch', 'ok', 'http://b/'], // under 'ok', now in a Map
    ['d', 'svc', 'h1', 'IdleConnection', 'ok', ''],
    ['d', 'svc', 'h2', 'ProxyFetch', 'ok', 'http://a/'],
  ];
  paths.forEach((p, i) => t.equal(cachedLabels(p, make(`n${i}`)), `n${i}`, p.join(' ')));
  paths.forEach((p, i) => t.equal(cachedLabels(p, make('again')), `n${i}`, `${p.join(' ')} found again`));
  t.equal(made, paths.length);
});

t.test('monitor and server families: every series named by its own labels, pools in order', async (t) => {
  const s = server('10.0.0.1', [monitor('ProxyFetch', true, 2), monitor('IdleConnection', null, 0)]);
  const pools = [pool('web_80', [s]), pool('api_443', [server('10.0.0.1', [monitor('ProxyFetch', false, 3)])])];
  t.equal(written((w) => writeMonitorFamily(pools, 0, w)).text, [
    'pybal_monitor_up_transitions_total{host="10.0.0.1",monitor="ProxyFetch",service="web_80"} 2.0',
    'pybal_monitor_up_transitions_total{host="10.0.0.1",monitor="IdleConnection",service="web_80"} 0.0',
    'pybal_monitor_up_transitions_total{host="10.0.0.1",monitor="ProxyFetch",service="api_443"} 3.0',
  ].join('\n') + '\n');
  t.equal(written((w) => writeMonitorFamily(pools, 2, w)).text.split('\n')[0],
    'pybal_monitor_up_results_total{host="10.0.0.1",monitor="ProxyFetch",service="web_80"} 20.0');
  t.equal(written((w) => writeMonitorFamily(pools, 4, w)).text, [
    'pybal_monitor_status{host="10.0.0.1",monitor="ProxyFetch",service="web_80"} 1.0',
    'pybal_monitor_status{host="10.0.0.1",monitor="ProxyFetch",service="api_443"} 0.0',
  ].join('\n') + '\n', 'no status before a first result; the same host in another service');
  t.equal(written((w) => writeServerFamily(pools.slice(0, 1), false, w)).text, 'vipd_server_pooled{host="10.0.0.1",service="web_80"} 1.0\n');
  t.equal(written((w) => writeServerFamily(pools.slice(0, 1), true, w)).text, 'vipd_server_up{host="10.0.0.1",service="web_80"} 1.0\n');
});

t.test('a family writer yields every SLICE servers, across pools', async (t) => {
  const many = (name: string, n: number): PoolStatus =>
    pool(name, Array.from({ length: n }, (_, i) => server(`h${i}`, [monitor('ProxyFetch', true, i)])));
  const out = written((w) => writeServerFamily([many('a', SLICE), many('b', SLICE + 1)], true, w));
  t.equal(out.yields, 2);
  t.equal(out.text.split('\n').length - 1, 2 * SLICE + 1, 'one line per server');
});
