import t from 'tap';
import { instanceKey, memberKey, overrideValue, serverKey, SharedOverrides } from './shared-overrides.js';
import type { ServerOverride } from './overrides.js';

const P = '/vipd/ams';
const o = (host: string, state: ServerOverride['state'] = 'depooled'): ServerOverride => ({
  pool: 'web', host, state, reason: 'disk', author: 'alice', since: '2026-12-06T10:00:00.000Z', expires: null, forced: false,
});
const kv = (key: string, value: string, rev = 1) => ({ key, value, modRevision: rev });

t.test('key layout: one trailing slash, URI-encoded components, instances per name', async (t) => {
  t.equal(serverKey(P, 'web', 'fe80::1'), '/vipd/ams/overrides/servers/web/fe80%3A%3A1');
  t.equal(serverKey(`${P}//`, 'a/b', 'h'), '/vipd/ams/overrides/servers/a%2Fb/h');
  t.equal(instanceKey(P, 'lvs1'), '/vipd/ams/overrides/instances/lvs1');
  t.equal(memberKey(P, 'lvs1'), '/vipd/ams/members/lvs1');
});

t.test('a full read, then events: servers for all, the instance depool only for its own name', async (t) => {
  const m = new SharedOverrides(P, 'lvs1');
  const inst = { state: 'depooled', reason: 'rack', author: 'bob', since: '2026-12-06T10:00:00Z', expires: null };
  m.reset([
    kv(serverKey(P, 'web', 'h2'), overrideValue(o('h2', 'drained'))),
    kv(serverKey(P, 'web', 'h1'), overrideValue(o('h1'))),
    kv(instanceKey(P, 'lvs2'), JSON.stringify(inst)),
    kv('/vipd/ams/overrides/other/x', '{}'),
    kv(memberKey(P, 'lvs1'), '{}'),
  ]);
  t.same(m.set().servers.map((s) => `${s.host}:${s.state}`), ['h1:depooled', 'h2:drained'], 'sorted; unknown keys ignored');
  t.equal(m.set().instance, null, "lvs2's instance depool is not lvs1's");
  m.apply([{ type: 'put', kv: kv(instanceKey(P, 'lvs1'), JSON.stringify(inst)) }, { type: 'delete', key: serverKey(P, 'web', 'h2'), modRevision: 3 }]);
  t.match(m.set(), { servers: [{ host: 'h1' }], instance: { reason: 'rack', author: 'bob' } });
  t.equal(m.set().servers.length, 1);
  t.same(m.problems(), []);
});

t.test('the key names pool and host, whatever the value says', async (t) => {
  const m = new SharedOverrides(P, 'lvs1');
  m.reset([kv(serverKey(P, 'web', 'h1'), JSON.stringify({ ...o('h1'), pool: 'api', host: 'other' }))]);
  t.match(m.set().servers[0], { pool: 'web', host: 'h1' });
});

t.test('a malformed value affects only its key: the last good value stays, the key is named', async (t) => {
  const m = new SharedOverrides(P, 'lvs1');
  const k1 = serverKey(P, 'web', 'h1');
  const k3 = serverKey(P, 'web', 'h3');
  m.reset([kv(k1, overrideValue(o('h1'))), kv(serverKey(P, 'web', 'h2'), overrideValue(o('h2')))]);
  m.apply([{ type: 'put', kv: kv(k1, '{"state": "gone"') }, { type: 'put', kv: kv(k3, JSON.stringify({ ...o('h3'), state: 'maybe' })) }]);
  t.same(m.set().servers.map((s) => s.host), ['h1', 'h2'], 'h1 keeps its last good override, h3 has none, h2 untouched');
  t.same(m.problems(), [
    `etcd key ${k1}: value is not JSON; its previous value stays in force`,
    `etcd key ${k3}: state must be one of depooled, drained, pooled; ignored`,
  ]);
  m.apply([{ type: 'put', kv: kv(k3, overrideValue(o('h3', 'pooled'))) }]);
  t.same(m.problems().length, 1, 'a corrected value clears its problem');
  m.reset([kv(k1, '[]')]);
  t.same(m.set().servers.map((s) => s.host), ['h1'], 'a full read keeps the last good value of a still-bad key');
  t.match(m.problems(), [/etcd key .*h1: must be a JSON object; its previous value stays in force/]);
  m.apply([{ type: 'delete', key: k1, modRevision: 9 }]);
  t.same(m.set().servers, []);
  t.same(m.problems(), [], 'deleting the key ends its problem');
});

t.test('an etcd v2 directory removed (a key ending in /): every override under it goes', async (t) => {
  const m = new SharedOverrides(P, 'lvs1');
  const kv = (host: string) => ({ key: serverKey(P, 'web', host), value: overrideValue(o(host)), modRevision: 1 });
  m.reset([kv('h1'), kv('h2')]);
  t.equal(m.set().servers.length, 2);
  m.apply([{ type: 'delete', key: '/vipd/ams/overrides/servers/web/', modRevision: 2 }]);
  t.same(m.set().servers, []);
});
