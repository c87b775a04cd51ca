import t from 'tap';
import { EtcdSource } from '../../src/pools/etcd-source.js';
import type { PoolServer } from '../../src/pools/types.js';
import { systemClock } from '../../src/time/clock.js';
import { findTool } from '../support/require-tool.js';
import { needTools } from '../lab/need-tools.js';
import { sh, sleep, waitFor } from '../lab/proc.js';
import { startEtcd, type TestEtcd } from './pools-etcd-server.js';

// Issue 11: an emptied prefix keeps the last good list (alerted); URL credentials are used
// (etcd v3 auth) and never shown; a prefix over pool-max-servers is refused whole.

const PREFIX = '/conftool/v1/pools/eqiad/text/guard/';
const conftool = (pooled: string, weight = 10) => JSON.stringify({ pooled, weight });
const hosts = (s: PoolServer[]) => s.map((x) => `${x.host}:${x.weight}:${x.enabled ? 'on' : 'off'}`).join(' ');

function watch(t: { teardown(f: () => unknown): void }, url: string, maxServers?: number) {
  const updates: PoolServer[][] = [];
  const alerts: string[] = [];
  let recoveries = 0;
  const src = new EtcdSource(url, { clock: systemClock, backoffMinMs: 50, backoffMaxMs: 300, ...(maxServers ? { maxServers } : {}) });
  src.start((s) => updates.push(s), (a) => alerts.push(a), () => { recoveries++; });
  t.teardown(() => src.stop());
  const latest = (what: string, want: string) =>
    waitFor(what, 5000, async () => updates.length > 0 && hosts(updates[updates.length - 1]!) === want, 10);
  return { src, updates, alerts, latest, recoveries: () => recoveries };
}

async function etcdctl(etcd: TestEtcd, ...args: string[]): Promise<string> {
  return sh(findTool('etcdctl')!, [`--endpoints=http://${etcd.hostPort}`, ...args]);
}

t.test('etcdctl del --prefix keeps the last good list, alerted; a put afterwards is the new truth', async (t) => {
  if (!needTools(t, 'etcd', 'etcdctl')) return;
  const etcd = await startEtcd(findTool('etcd')!, t.testdir());
  t.teardown(() => etcd.stop());
  await etcd.put(PREFIX + 'cp1', conftool('yes'));
  await etcd.put(PREFIX + 'cp2', conftool('yes', 5));
  const { src, updates, alerts, latest, recoveries } = watch(t, `etcd3://${etcd.hostPort}${PREFIX}`);
  await latest('the initial list', 'cp1:10:on cp2:5:on');
  await etcdctl(etcd, 'del', '--prefix', PREFIX);
  await waitFor('the alert for the emptied prefix', 5000, async () => alerts.length === 1, 10);
  t.equal(alerts[0], `etcd3://${etcd.hostPort}${PREFIX}: no servers in the new list; keeping the previous 2`);
  t.equal(hosts(src.last()!), 'cp1:10:on cp2:5:on');
  t.notOk(updates.some((u) => u.length === 0), 'never an empty list');
  // Still empty after a reconnect (a fresh read): still kept, not alerted again.
  await etcd.stop();
  await waitFor('the connection alert', 5000, async () => alerts.length >= 2, 10);
  await etcd.start();
  await sleep(500);
  t.equal(hosts(src.last()!), 'cp1:10:on cp2:5:on', 'a re-read of the empty prefix keeps it too');
  t.equal(recoveries(), 0);
  await etcd.put(PREFIX + 'cp3', conftool('yes'));
  await latest('the new key', 'cp3:10:on');
  await waitFor('the recovery', 5000, async () => recoveries() === 1, 10);
  // Every key set inactive empties the list as well.
  const before = alerts.length;
  await etcd.put(PREFIX + 'cp3', conftool('inactive'));
  await waitFor('the alert for the list turned empty', 5000, async () =>
    alerts.slice(before).includes(`etcd3://${etcd.hostPort}${PREFIX}: no servers in the new list; keeping the previous 1`), 10);
  t.equal(hosts(src.last()!), 'cp3:10:on');
});

t.test('a bad value keeps that key\'s last good server, also after the prefix emptied', async (t) => {
  if (!needTools(t, 'etcd')) return;
  const etcd = await startEtcd(findTool('etcd')!, t.testdir());
  t.teardown(() => etcd.stop());
  for (const h of ['cp1', 'cp2', 'cp3', 'cp4']) await etcd.put(PREFIX + h, conftool('yes'));
  const { src, alerts, latest } = watch(t, `etcd3://${etcd.hostPort}${PREFIX}`);
  await latest('the initial list', 'cp1:10:on cp2:10:on cp3:10:on cp4:10:on');
  for (const h of ['cp1', 'cp2', 'cp3']) await etcd.put(PREFIX + h, '{"pooled": "yes", "weight": "10"}');
  await etcd.put(PREFIX + 'cp5', '{"pooled": "yes", "weight": "10"}');
  await etcd.put(PREFIX + 'cp4', conftool('yes', 3));
  await latest('cp4 changed, the bad ones kept', 'cp1:10:on cp2:10:on cp3:10:on cp4:3:on');
  t.ok(alerts.some((a) => a.includes(`key ${PREFIX}cp5: weight must be an integer 0-65535`)), 'a new bad key is alerted and adds nothing');
  t.notOk(src.last()!.some((s) => s.host === 'cp5'));
});

t.test('etcd v3 auth from the URL: used, and never shown; a user without a password is refused', async (t) => {
  if (!needTools(t, 'etcd', 'etcdctl')) return;
  const etcd = await startEtcd(findTool('etcd')!, t.testdir());
  t.teardown(() => etcd.stop());
  await etcd.put(PREFIX + 'cp1', conftool('yes'));
  await etcdctl(etcd, 'user', 'add', 'root:rootpw', '--interactive=false');
  await etcdctl(etcd, 'user', 'add', 'vipd:s3cret', '--interactive=false');
  await etcdctl(etcd, 'role', 'add', 'pools');
  await etcdctl(etcd, 'role', 'grant-permission', 'pools', '--prefix=true', 'read', PREFIX);
  await etcdctl(etcd, 'user', 'grant-role', 'vipd', 'pools');
  await etcdctl(etcd, 'auth', 'enable');

  const good = watch(t, `etcd3://vipd:s3cret@${etcd.hostPort}${PREFIX}`);
  await good.latest('the list, authenticated', 'cp1:10:on');
  await etcdctl(etcd, '--user', 'root:rootpw', 'put', PREFIX + 'cp2', conftool('yes', 4));
  await good.latest('a put seen by the authenticated watch', 'cp1:10:on cp2:4:on');
  t.same(good.alerts, []);

  const wrong = watch(t, `etcd3://vipd:wrong@${etcd.hostPort}${PREFIX}`);
  await waitFor('the authentication alert', 5000, async () => wrong.alerts.length > 0, 10);
  t.match(wrong.alerts[0], new RegExp(`^etcd3://\\*\\*\\*@${etcd.hostPort}${PREFIX}: etcd authentication as 'vipd' failed`));
  t.notOk(wrong.alerts[0]!.includes('wrong'), 'the password is not shown');
  t.equal(wrong.src.last(), null);

  const none = watch(t, `etcd3://${etcd.hostPort}${PREFIX}`);
  await waitFor('the alert without credentials', 5000, async () => none.alerts.length > 0, 10);
  t.equal(none.src.last(), null, 'no list without credentials');

  t.throws(() => new EtcdSource(`etcd3://vipd@${etcd.hostPort}${PREFIX}`, { clock: systemClock }),
    /etcd3:\/\/\*\*\*@127\.0\.0\.1:\d+\/conftool\/v1\/pools\/eqiad\/text\/guard\/: etcd credentials need both a user and a password/);
});

t.test('a prefix over pool-max-servers is refused whole; the last list stays', async (t) => {
  if (!needTools(t, 'etcd')) return;
  const etcd = await startEtcd(findTool('etcd')!, t.testdir());
  t.teardown(() => etcd.stop());
  for (const h of ['cp1', 'cp2']) await etcd.put(PREFIX + h, conftool('yes'));
  const { src, updates, alerts, latest } = watch(t, `etcd3://${etcd.hostPort}${PREFIX}`, 3);
  await latest('the initial list', 'cp1:10:on cp2:10:on');
  await etcd.put(PREFIX + 'cp3', conftool('yes'));
  await latest('three servers', 'cp1:10:on cp2:10:on cp3:10:on');
  await etcd.put(PREFIX + 'cp4', conftool('yes'));
  await waitFor('the refusal', 5000, async () => alerts.length === 1, 10);
  t.equal(alerts[0], `etcd3://${etcd.hostPort}${PREFIX}: 4 servers, more than pool-max-servers 3; refused whole, keeping the previous 3 servers`);
  t.equal(updates.length, 2);
  t.equal(hosts(src.last()!), 'cp1:10:on cp2:10:on cp3:10:on');
  await etcd.del(PREFIX + 'cp1');
  await latest('back under the limit', 'cp2:10:on cp3:10:on cp4:10:on');

  const small = watch(t, `etcd3://${etcd.hostPort}${PREFIX}`, 2);
  await waitFor('the refusal of the first read', 5000, async () => small.alerts.length > 0, 10);
  t.equal(small.alerts[0], `etcd3://${etcd.hostPort}${PREFIX}: more than pool-max-servers 2 keys under ${PREFIX}; refused whole, no list yet`);
  t.equal(small.src.last(), null, 'nothing delivered: the read stopped at pool-max-servers + 1 keys');
});
