// Per-server /metrics lines: names found by label values (no key strings), blocks once per object.
import t from 'tap';
import type { MonitorStatus, PoolStatus, ServerStatus } from '../coordinator/status.js';
import { cachedNames, monitorBlocks, serverBlocks } from './metrics-lines.js';

const monitor = (name: string, up: boolean | null, n: number): MonitorStatus =>
  ({ name, up, upTransitions: n, downTransitions: 0, upResults: n * 10, downResults: 1 } as unknown as MonitorStatus);
const server = (host: string, monitors: MonitorStatus[]): ServerStatus =>
  ({ host, ip: host, port: 80, weight: 10, enabled: true, ready: true, up: true, partiallyUp: false, pooled: true, pooledDown: false, monitors });
const pool = (name: string): PoolStatus => ({ name } as PoolStatus);

t.test('a name is made once per path; paths that differ anywhere get their own', async (t) => {
  let made = 0;
  const make = (text: string) => () => { made++; return [text]; };
  t.same(cachedNames(['f', 'svc', 'h1', 'm'], make('a')), ['a']);
  t.same(cachedNames(['f', 'svc', 'h1', 'm'], make('other')), ['a'], 'found again, not made again');
  t.same(cachedNames(['f', 'svc', 'h2', 'm'], make('b')), ['b'], 'another host');
  t.same(cachedNames(['f', 'svc2', 'h1', 'm'], make('c')), ['c'], 'another service');
  t.same(cachedNames(['g', 'svc', 'h1', 'm'], make('d')), ['d'], 'another family');
  t.equal(made, 4);
});

t.test('a level that held one key takes a second: both found after, at every depth', async (t) => {
  let made = 0;
  const make = (text: string) => () => { made++; return [text]; };
  const paths = [
    ['d', 'svc', 'h1', 'ProxyFetch', 'ok', 'http://a/'],
    ['d', 'svc', 'h1', 'ProxyFetch', 'error', 'http://a/'], // under 'ProxyFetch' (a One under a One)
    ['d', 'svc', 'h1', 'ProxyFetch', 'ok', 'http://b/'], // under 'ok', now in a Map
    ['d', 'svc', 'h1', 'IdleConnection', 'ok', ''],
    ['d', 'svc', 'h2', 'ProxyFetch', 'ok', 'http://a/'],
  ];
  paths.forEach((p, i) => t.same(cachedNames(p, make(`n${i}`)), [`n${i}`], p.join(' ')));
  paths.forEach((p, i) => t.same(cachedNames(p, make('again')), [`n${i}`], `${p.join(' ')} found again`));
  t.equal(made, paths.length);
});

t.test('monitor and server blocks: every series named by its own labels', async (t) => {
  const s = server('10.0.0.1', [monitor('ProxyFetch', true, 2), monitor('IdleConnection', null, 0)]);
  const blocks = monitorBlocks(pool('web_80'), s);
  t.equal(blocks.length, 5, 'one block per family');
  t.equal(blocks[0], [
    'pybal_monitor_up_transitions_total{host="10.0.0.1",monitor="ProxyFetch",service="web_80"} 2.0',
    'pybal_monitor_up_transitions_total{host="10.0.0.1",monitor="IdleConnection",service="web_80"} 0.0',
  ].join('\n'));
  t.equal(blocks[2], [
    'pybal_monitor_up_results_total{host="10.0.0.1",monitor="ProxyFetch",service="web_80"} 20.0',
    'pybal_monitor_up_results_total{host="10.0.0.1",monitor="IdleConnection",service="web_80"} 0.0',
  ].join('\n'));
  t.equal(blocks[4], 'pybal_monitor_status{host="10.0.0.1",monitor="ProxyFetch",service="web_80"} 1.0', 'no status before a first result');
  t.equal(monitorBlocks(pool('web_80'), s), blocks, 'the same object: the same blocks, not rendered again');
  const other = monitorBlocks(pool('api_443'), server('10.0.0.1', [monitor('ProxyFetch', false, 3)]));
  t.equal(other[4], 'pybal_monitor_status{host="10.0.0.1",monitor="ProxyFetch",service="api_443"} 0.0', 'same host in another service');
  t.same(serverBlocks(pool('web_80'), s), [
    'vipd_server_pooled{host="10.0.0.1",service="web_80"} 1.0',
    'vipd_server_up{host="10.0.0.1",service="web_80"} 1.0',
  ]);
});
