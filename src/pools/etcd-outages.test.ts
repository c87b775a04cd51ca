import t from 'tap';
import { EtcdOutages, isUnreachable, outageSource } from './etcd-outages.js';

const EP = '127.0.0.1:2379';

function rig() {
  const alerts = new Map<string, string>();
  const emitted: Array<string | null> = [];
  const o = new EtcdOutages((source, msg) => { emitted.push(msg); if (msg === null) alerts.delete(source); else alerts.set(source, msg); }, () => Date.UTC(2026, 11, 6, 16, 0, 0));
  return { o, alerts, emitted };
}

t.test('three pools and the overrides of one endpoint: one alert naming them all; cleared when the endpoint answers', async (t) => {
  const { o, alerts } = rig();
  for (const p of ['web', 'api', 'search']) o.report(EP, { id: `pool ${p}`, kind: 'pool', label: p }, 'connect ECONNREFUSED 127.0.0.1:2379');
  o.report(EP, { id: 'overrides', kind: 'other', label: 'overrides (2 in force)' }, 'connect ECONNREFUSED 127.0.0.1:2379');
  t.same([...alerts.keys()], [outageSource(EP)], 'one alert, for the endpoint');
  t.equal(alerts.get(outageSource(EP)), 'unreachable since 2026-12-06T16:00:00.000Z: keeping the last good pools api, search, web and overrides (2 in force); '
    + 'nothing depooled for it, a full read follows when it answers (connect ECONNREFUSED 127.0.0.1:2379)');
  o.report(EP, { id: 'pool web', kind: 'pool', label: 'web' }, null);
  t.same([...alerts.keys()], [], 'the first full read clears it');
  o.report(EP, { id: 'pool api', kind: 'pool', label: 'api' }, null);
  t.same([...alerts.keys()], [], 'the others answering later change nothing');
});

t.test('the same report again is not a new alert; another endpoint is its own alert; forget() drops a dependent', async (t) => {
  const { o, alerts, emitted } = rig();
  const web = { id: 'pool web', kind: 'pool' as const, label: 'web' };
  o.report(EP, web, 'timed out after 5000 ms');
  o.report(EP, web, 'timed out after 5000 ms');
  t.equal(emitted.length, 1);
  o.report('10.0.0.9:2379', web, 'timed out after 5000 ms');
  t.equal(alerts.size, 2);
  t.match(alerts.get(outageSource(EP)), /keeping the last good pool web;/);
  o.forget('pool web');
  t.equal(alerts.size, 0, 'no dependent left: no alert');
  t.equal(emitted.at(-1), null);
});

t.test('unreachable: network errors, timeouts, every endpoint of a list; not answers vipd refuses', async (t) => {
  const sys = (code: string) => Object.assign(new Error(`connect ${code}`), { code });
  t.ok(isUnreachable(sys('ECONNREFUSED')));
  t.ok(isUnreachable(new Error('timed out after 5000 ms')));
  t.ok(isUnreachable(new Error('etcd watch stream ended')));
  t.ok(isUnreachable(new Error('etcd watch error: transport is closing')), 'etcd stopping under a watch');
  t.ok(isUnreachable(new Error('etcd watch error: grpc: the client connection is closing')), 'the other wording of it (seen in CI)');
  t.ok(isUnreachable(new AggregateError([sys('ECONNREFUSED'), sys('ETIMEDOUT')], 'a; b')));
  t.notOk(isUnreachable(new AggregateError([sys('ECONNREFUSED'), new Error('etcd answered HTTP 401: denied')], 'a; b')), 'one endpoint answered');
  t.notOk(isUnreachable(Object.assign(new Error('self-signed certificate'), { code: 'DEPTH_ZERO_SELF_SIGNED_CERT' })), 'a certificate problem is the pool\'s own alert');
  t.notOk(isUnreachable(new Error('etcd answered HTTP 500: boom')));
  t.notOk(isUnreachable('ECONNREFUSED'));
});
