import t from 'tap';
import { hostOf, orderSrv, parseV2Read, parseV2Watch, type SrvRecord } from './etcd2-parse.js';

const DIR = '/conftool/v1/pools/eqiad/text/varnish';
const v = (weight: number, pooled: string) => JSON.stringify({ weight, pooled });

t.test('a recursive read: direct children only, the index from X-Etcd-Index', async (t) => {
  const body = JSON.stringify({ action: 'get', node: { key: DIR, dir: true, nodes: [
    { key: `${DIR}/cp1`, value: v(10, 'yes'), modifiedIndex: 4 },
    { key: `${DIR}/sub`, dir: true, nodes: [{ key: `${DIR}/sub/x`, value: '{}' }] },
    { key: `${DIR}/cp2`, value: v(1, 'no'), modifiedIndex: 5 },
  ] } });
  t.same(parseV2Read(DIR, 200, body, '17'), { ok: true, index: 17, values: [
    { key: `${DIR}/cp1`, host: 'cp1', value: v(10, 'yes') }, { key: `${DIR}/cp2`, host: 'cp2', value: v(1, 'no') },
  ] });
  t.same(parseV2Read(DIR, 200, JSON.stringify({ action: 'get', node: { key: DIR, dir: true } }), '3'), { ok: true, index: 3, values: [] });
});

t.test('a missing directory is empty; other answers are errors', async (t) => {
  const missing = JSON.stringify({ errorCode: 100, message: 'Key not found', cause: DIR, index: 9 });
  t.same(parseV2Read(DIR, 404, missing, '9'), { ok: true, index: 9, values: [] });
  t.same(parseV2Read(DIR, 404, missing, undefined), { ok: true, index: 9, values: [] });
  t.same(parseV2Read(DIR, 401, JSON.stringify({ errorCode: 110, message: 'The request requires user authentication', cause: 'Insufficient credentials' }), '1'),
    { ok: false, error: 'etcd answered HTTP 401: The request requires user authentication (Insufficient credentials)' });
  t.same(parseV2Read(DIR, 200, JSON.stringify({ action: 'get', node: { key: DIR, value: 'x' } }), '1'), { ok: false, error: `${DIR} is a key, not a directory` });
  t.same(parseV2Read(DIR, 200, JSON.stringify({ action: 'get', node: { key: DIR, dir: true } }), undefined), { ok: false, error: 'etcd answered without a valid X-Etcd-Index header' });
  t.same(parseV2Read(DIR, 502, '<html>', '1'), { ok: false, error: 'etcd answered HTTP 502' });
});

t.test('watch answers', async (t) => {
  const w = (action: string, node: object) => parseV2Watch(DIR, 200, JSON.stringify({ action, node }));
  t.same(w('set', { key: `${DIR}/cp1`, value: v(3, 'no'), modifiedIndex: 20 }),
    { kind: 'event', modifiedIndex: 20, change: { kind: 'put', v: { key: `${DIR}/cp1`, host: 'cp1', value: v(3, 'no') } } });
  for (const a of ['create', 'update', 'compareAndSwap']) t.equal((w(a, { key: `${DIR}/cp1`, value: '{}', modifiedIndex: 2 }) as { change: { kind: string } }).change.kind, 'put', a);
  for (const a of ['delete', 'expire', 'compareAndDelete']) {
    t.same(w(a, { key: `${DIR}/cp1`, modifiedIndex: 21 }), { kind: 'event', modifiedIndex: 21, change: { kind: 'remove', host: 'cp1' } }, a);
  }
  t.same(w('delete', { key: DIR, dir: true, modifiedIndex: 22 }), { kind: 'event', modifiedIndex: 22, change: { kind: 'clear' } });
  t.same(w('delete', { key: '/conftool/v1/pools', dir: true, modifiedIndex: 23 }), { kind: 'event', modifiedIndex: 23, change: { kind: 'clear' } });
  t.same(w('delete', { key: `${DIR}/sub/x`, modifiedIndex: 24 }), { kind: 'event', modifiedIndex: 24, change: { kind: 'ignore' } });
  t.same(w('set', { key: `${DIR}/sub`, dir: true, modifiedIndex: 25 }), { kind: 'event', modifiedIndex: 25, change: { kind: 'ignore' } });
  t.same(w('delete', { key: '/conftool/v1/pools/eqiad/text/varnish2', modifiedIndex: 26 }), { kind: 'event', modifiedIndex: 26, change: { kind: 'ignore' } });
  t.same(parseV2Watch(DIR, 400, JSON.stringify({ errorCode: 401, message: 'The event in requested index is outdated and cleared', cause: 'the requested history has been cleared [5/2]', index: 1006 })),
    { kind: 'outdated', message: 'etcd answered HTTP 400: The event in requested index is outdated and cleared (the requested history has been cleared [5/2])' });
  t.same(parseV2Watch(DIR, 500, 'x'), { kind: 'error', error: 'etcd answered HTTP 500' });
  t.same(parseV2Watch(DIR, 200, '{"action":"set","node":{"key":"/x"}}'), { kind: 'error', error: 'etcd sent a watch answer without a modifiedIndex' });
  t.same(parseV2Watch(DIR, 200, ''), { kind: 'error', error: 'etcd sent a watch answer without an action and a node' });
});

t.test('hostOf', async (t) => {
  t.equal(hostOf('/a', '/a/h'), 'h');
  t.equal(hostOf('/a', '/a/h/x'), null);
  t.equal(hostOf('/a', '/ab/h'), null);
  t.equal(hostOf('/a', '/a/'), null);
});

t.test('SRV order: priority first, then weighted (RFC 2782)', async (t) => {
  const r = (name: string, priority: number, weight: number): SrvRecord => ({ name, port: 2379, priority, weight });
  const recs = [r('c', 20, 0), r('a', 10, 50), r('b', 10, 50), r('z', 10, 0)];
  // random 0 picks the first of the running sum: the zero-weight record.
  t.same(orderSrv(recs, () => 0).map((x) => x.name), ['z', 'a', 'b', 'c']);
  // random near 1 picks the last of the running sum each time.
  t.same(orderSrv(recs, () => 0.999).map((x) => x.name), ['b', 'a', 'z', 'c']);
  // Over many draws a weight-3 record comes first about three times as often as a weight-1 one.
  let seed = 7;
  const rnd = () => { seed = (seed * 1103515245 + 12345) % 2 ** 31; return seed / 2 ** 31; };
  let heavy = 0;
  for (let i = 0; i < 4000; i++) if (orderSrv([r('h', 1, 3), r('l', 1, 1)], rnd)[0]!.name === 'h') heavy++;
  t.ok(heavy > 2700 && heavy < 3300, `heavy first ${heavy}/4000`);
  t.same(orderSrv([]), []);
});
