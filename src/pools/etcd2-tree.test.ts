import t from 'tap';
import { parseV2Tree, parseV2TreeWatch } from './etcd2-tree.js';

const P = '/vipd/ams/overrides';

t.test('a recursive read of a tree: every key at any depth, the index from X-Etcd-Index', async (t) => {
  const body = JSON.stringify({ action: 'get', node: { key: P, dir: true, nodes: [
    { key: `${P}/servers`, dir: true, nodes: [{ key: `${P}/servers/web`, dir: true, nodes: [{ key: `${P}/servers/web/h1`, value: '{"a":1}', modifiedIndex: 7 }] }] },
    { key: `${P}/instances`, dir: true, nodes: [{ key: `${P}/instances/lvs1`, value: '{}', modifiedIndex: 9 }] },
  ] } });
  t.same(parseV2Tree(200, body, '12'), { ok: true, index: 12, kvs: [
    { key: `${P}/servers/web/h1`, value: '{"a":1}', modRevision: 7 }, { key: `${P}/instances/lvs1`, value: '{}', modRevision: 9 }] });
  t.same(parseV2Tree(404, JSON.stringify({ errorCode: 100, message: 'Key not found', index: 5 }), '5'), { ok: true, index: 5, kvs: [] }, 'missing: empty');
  t.match(parseV2Tree(200, body, undefined), { ok: false, error: /X-Etcd-Index/ });
  t.match(parseV2Tree(500, '{"message":"boom"}', '1'), { ok: false, error: 'etcd answered HTTP 500: boom' });
});

t.test('watch answers: puts, deletes, a removed directory deletes everything under it, 401 re-reads', async (t) => {
  const ans = (action: string, node: object) => JSON.stringify({ action, node });
  t.same(parseV2TreeWatch(200, ans('set', { key: `${P}/servers/web/h1`, value: 'v', modifiedIndex: 20 })),
    { kind: 'events', modifiedIndex: 20, events: [{ type: 'put', kv: { key: `${P}/servers/web/h1`, value: 'v', modRevision: 20 } }] });
  t.same(parseV2TreeWatch(200, ans('expire', { key: `${P}/instances/lvs1`, modifiedIndex: 21 })),
    { kind: 'events', modifiedIndex: 21, events: [{ type: 'delete', key: `${P}/instances/lvs1`, modRevision: 21 }] });
  t.same(parseV2TreeWatch(200, ans('delete', { key: `${P}/servers/web`, dir: true, modifiedIndex: 22 })),
    { kind: 'events', modifiedIndex: 22, events: [{ type: 'delete', key: `${P}/servers/web/`, modRevision: 22 }] });
  t.same(parseV2TreeWatch(200, ans('set', { key: `${P}/servers/api`, dir: true, modifiedIndex: 23 })), { kind: 'events', modifiedIndex: 23, events: [] }, 'a new directory: nothing');
  t.match(parseV2TreeWatch(400, JSON.stringify({ errorCode: 401, message: 'The event in requested index is outdated and cleared', index: 2000 })), { kind: 'outdated' });
  t.match(parseV2TreeWatch(200, '{}'), { kind: 'error' });
});
