import t from 'tap';
import { findTool } from '../support/require-tool.js';
import { needTools } from '../lab/need-tools.js';
import { sh, waitFor } from '../lab/proc.js';
import { startEtcd, type TestEtcd } from '../integration/pools-etcd-server.js';
import { all, API_VIP, ipvsChanges, nothingMoves, startRig, WEB_VIP } from './pools-rig.js';

// Issue 11: "`etcdctl del --prefix` on an etcd pool applied an empty pool: every realserver
// deleted, the VIP withdrawn, /alerts silent" and "etcd credentials in the URL are logged and
// silently not used". Now the last good list stays with an alert naming the (redacted) source,
// the credentials authenticate (etcd v3 auth) and appear nowhere.

const PREFIX = '/conftool/v1/pools/eqiad/web/';
const SECRET = 'pa55-s3cret';

t.test('etcd prefix emptied by etcdctl del --prefix: [web] keeps its servers, alerted; [api] and both VIPs untouched; no secret shown', async (t) => {
  if (!needTools(t, 'etcd', 'etcdctl')) return;
  let etcd: TestEtcd | null = null;
  const ctl = (...args: string[]) => sh(findTool('etcdctl')!, [`--endpoints=http://${etcd!.hostPort}`, ...args]);
  const rig = await startRig(t, async (hosts) => {
    etcd = await startEtcd(findTool('etcd')!, t.testdir());
    t.teardown(() => etcd!.stop());
    for (const h of hosts) await etcd.put(PREFIX + h, JSON.stringify({ pooled: 'yes', weight: 10 }));
    await ctl('user', 'add', 'root:rootpw', '--interactive=false');
    await ctl('user', 'add', `vipd:${SECRET}`, '--interactive=false');
    await ctl('role', 'add', 'pools');
    await ctl('role', 'grant-permission', 'pools', '--prefix=true', 'read', PREFIX);
    await ctl('user', 'grant-role', 'vipd', 'pools');
    await ctl('auth', 'enable');
    return `etcd3://vipd:${SECRET}@${etcd.hostPort}${PREFIX}`;
  });
  if (!rig || !etcd) return;
  t.pass('the pool was read with the URL credentials (auth is enabled: nothing is readable without them)');
  const from = rig.vipd.lines.length;
  await ctl('--user', 'root:rootpw', 'del', '--prefix', PREFIX);
  const shown = `etcd3://***@${(etcd as TestEtcd).hostPort}${PREFIX}`;
  await waitFor('the alert', 5000, async () => (await rig.alerts()).msg.includes(`${shown}: no servers in the new list; keeping the previous 4`), 50);
  t.equal((await rig.alerts()).status, 'warning');
  t.ok(await nothingMoves(rig, 2000, { web: all(rig.web), api: all(rig.api) }) > 5, '[web] keeps its 4, [api] its 4, both VIPs announced');
  t.same(ipvsChanges(rig, from, WEB_VIP), [], 'no IPVS change for [web]');
  t.same(ipvsChanges(rig, from, API_VIP), [], 'no IPVS change for [api]');

  // Keys back: the first one alone would remove 3 of 4 (held by the pool guard); once all four
  // are back, that is the new truth, and the alerts clear.
  for (const h of rig.web) await ctl('--user', 'root:rootpw', 'put', PREFIX + h, JSON.stringify({ pooled: 'yes', weight: 5 }));
  await waitFor('the new list', 5000, async () => (await rig.servers('web')) === all(rig.web, 5), 50);
  await waitFor('the alert cleared', 5000, async () => (await rig.alerts()).status === 'ok', 50);
  t.equal(await rig.servers('api'), all(rig.api));
  const everything = JSON.stringify(rig.vipd.lines) + rig.vipd.stderr.join('');
  t.notOk(everything.includes(SECRET), 'the etcd password is in no log line');
  t.ok(everything.includes(shown), 'the source is logged, redacted');
});
