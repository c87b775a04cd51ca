import t from 'tap';
import { EtcdSource } from '../../src/pools/etcd-source.js';
import type { PoolServer } from '../../src/pools/types.js';
import { systemClock } from '../../src/time/clock.js';
import { findTool } from '../support/require-tool.js';
import { needTools } from '../lab/need-tools.js';
import { sleep, waitFor } from '../lab/proc.js';
import { startEtcd } from './pools-etcd-server.js';

const PREFIX = '/conftool/v1/pools/eqiad/text/ats-be/';
const conftool = (pooled: string, weight = 10) => JSON.stringify({ pooled, weight });
const hosts = (s: PoolServer[]) => s.map((x) => `${x.host}:${x.weight}:${x.enabled ? 'on' : 'off'}`).join(' ');

t.test('etcd v3: initial read, put/delete/inactive through the watch, restart of etcd', async (t) => {
  if (!needTools(t, 'etcd')) return;
  const bin = findTool('etcd')!;
  const etcd = await startEtcd(bin, t.testdir());
  t.teardown(() => etcd.stop());
  await etcd.put(PREFIX + 'cp1001', conftool('yes'));
  await etcd.put(PREFIX + 'cp1002', conftool('no', 5));
  await etcd.put(PREFIX + 'cp1003', conftool('inactive'));
  await etcd.put('/conftool/v1/pools/eqiad/text/ats-be2/other', conftool('yes'));
  await etcd.put(PREFIX + 'sub/nested', conftool('yes'));

  const updates: PoolServer[][] = [];
  const alerts: string[] = [];
  let recoveries = 0;
  const src = new EtcdSource(`etcd3://${etcd.hostPort}${PREFIX.replace(/\/$/, '')}`, { clock: systemClock, backoffMinMs: 50, backoffMaxMs: 400 });
  src.start((s) => updates.push(s), (a) => alerts.push(a), () => { recoveries++; });
  t.teardown(() => src.stop());
  const latest = (what: string, want: string) =>
    waitFor(what, 5000, async () => updates.length > 0 && hosts(updates[updates.length - 1]!) === want, 10);

  await latest('the initial list', 'cp1001:10:on cp1002:5:off');
  await etcd.put(PREFIX + 'cp1004', conftool('yes', 20));
  await latest('a put seen by the watch', 'cp1001:10:on cp1002:5:off cp1004:20:on');
  await etcd.put(PREFIX + 'cp1002', conftool('yes', 5));
  await latest('a repool', 'cp1001:10:on cp1002:5:on cp1004:20:on');
  await etcd.put(PREFIX + 'cp1001', conftool('inactive'));
  await latest('inactive removes the host', 'cp1002:5:on cp1004:20:on');
  await etcd.del(PREFIX + 'cp1004');
  await latest('a delete removes the host', 'cp1002:5:on');
  await etcd.put(PREFIX + 'cp1002', '{"pooled": "maybe", "weight": 5}');
  await waitFor('the alert for a bad value', 5000, async () => alerts.some((a) => a.includes(`key ${PREFIX}cp1002: pooled must be "yes", "no" or "inactive"`)), 10);
  t.equal(hosts(src.last()!), 'cp1002:5:on', 'a bad value leaves the host as it was');
  await sleep(200);
  t.equal(recoveries, 0, 'no recovery while the bad value stays');
  await etcd.put(PREFIX + 'cp1002', conftool('yes', 6));
  await latest('the corrected value', 'cp1002:6:on');
  await waitFor('the alert to clear once the value is fixed', 5000, async () => recoveries === 1, 10);

  await etcd.stop();
  await waitFor('an alert while etcd is down', 5000, async () => alerts.some((a) => a.includes('keeping the previous 1 servers')), 10);
  t.equal(hosts(src.last()!), 'cp1002:6:on', 'the last list is kept while etcd is down');
  const before = updates.length;
  await etcd.start();
  await etcd.put(PREFIX + 'cp1005', conftool('yes', 7));
  await latest('a put after etcd restarted', 'cp1002:6:on cp1005:7:on');
  t.ok(updates.length > before);
  t.notOk(updates.some((u) => u.length === 0), 'never an empty list');
});

t.test('an etcd that is not there: alert, no list, retries until it appears', async (t) => {
  if (!needTools(t, 'etcd')) return;
  const bin = findTool('etcd')!;
  const etcd = await startEtcd(bin, t.testdir());
  t.teardown(() => etcd.stop());
  await etcd.put(PREFIX + 'cp2001', conftool('yes'));
  await etcd.stop();
  const updates: PoolServer[][] = [];
  const alerts: string[] = [];
  const src = new EtcdSource(`etcd3://${etcd.hostPort}${PREFIX}`, { clock: systemClock, backoffMinMs: 50, backoffMaxMs: 200 });
  src.start((s) => updates.push(s), (a) => alerts.push(a));
  t.teardown(() => src.stop());
  await waitFor('the alert', 5000, async () => alerts.length > 0, 10);
  t.match(alerts[0], /ECONNREFUSED/);
  t.equal(src.last(), null);
  await etcd.start();
  await waitFor('the list once etcd is up', 5000, async () => updates.length === 1, 10);
  t.same(updates[0], [{ host: 'cp2001', weight: 10, enabled: true }]);
});
