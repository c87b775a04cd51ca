// Issue 17 §2 "raises one alert": an etcd endpoint that stops answering, with 3 pools and the
// overrides fed by it, is ONE alert naming the endpoint and what keeps its last good state; no
// depool, IPVS (dry-run) unchanged. A pool's own problem (a malformed value) stays its own alert.
// etcd back: full read, the outage alert cleared.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { ETCD_ALERT } from '../../src/cli/run/override-etcd.js';
import { outageSource } from '../../src/pools/etcd-outages.js';
import { needTools } from '../lab/need-tools.js';
import { sleep, waitFor } from '../lab/proc.js';
import { findTool } from '../support/require-tool.js';
import { alertsOf, backends, balancer, HOSTS, override, siteEtcd } from './fleet-site.js';

const POOLS = ['web', 'api', 'search'];
const poolDir = (p: string) => `/conftool/v1/pools/ams/${p}/`;

t.test('an etcd outage under 3 pools and the overrides: one alert, nothing depooled, cleared on return', async (t) => {
  if (!needTools(t, 'etcd')) return;
  const root = t.testdir();
  const etcd = await siteEtcd(findTool('etcd')!, root);
  t.teardown(() => etcd.stop());
  for (const p of POOLS) for (const h of HOSTS) await etcd.put(poolDir(p) + h, JSON.stringify({ pooled: 'yes', weight: 10 }));
  const port = await backends(t);
  const dir = join(root, 'lvs1');
  mkdirSync(dir);
  const pools = Object.fromEntries(POOLS.map((p) => [p, `etcd3://${etcd.hostPort}${poolDir(p)}`]));
  const lvs1 = await balancer(t, etcd, 'lvs1', dir, port, { pools });
  const everyServer = POOLS.length * HOSTS.length;
  await waitFor('every server of the 3 pools in IPVS', 15_000, async () => (await lvs1.table()).length === everyServer, 50);

  t.equal((await override(lvs1, 'PUT', `web/${HOSTS[0]}`, { state: 'depooled', reason: 'disk' })).status, 200);
  await etcd.put(poolDir('api') + HOSTS[1], '{"pooled": "yes", "weight": "ten"}');
  await waitFor('the depool applied and the bad value alerted', 10_000, async () =>
    (await lvs1.table()).length === everyServer - 1 && alertsOf(lvs1, 'pool api').length === 1, 50);
  const before = await lvs1.table();
  const apiAlert = alertsOf(lvs1, 'pool api')[0]!;
  t.match(apiAlert, /weight/, 'the malformed value is the api pool\'s own alert');

  await etcd.stop();
  const source = outageSource(etcd.hostPort);
  await waitFor('the outage alert', 15_000, async () => alertsOf(lvs1, source).length === 1);
  // Every dependent reports within its back-off: wait until the alert names all of them.
  await waitFor('the alert names the 3 pools and the overrides', 15_000, async () =>
    /keeping the last good pools api, search, web and overrides \(1 in force/.test(alertsOf(lvs1, source)[0] ?? ''));
  await sleep(2000);
  // (`overrides` is the informational "N overrides in force" alert, there before the outage too.)
  const alerts = lvs1.d.coordinator.status().alerts.filter((a) => a.source !== 'overrides');
  t.same(alerts.map((a) => a.source).sort(), [source, 'pool api'].sort(), 'one etcd alert; the api pool keeps its own (not an outage) alert');
  t.equal(alertsOf(lvs1, 'pool api')[0], apiAlert, 'the own alert is unchanged');
  t.same(alertsOf(lvs1, ETCD_ALERT), [], 'no separate overrides alert');
  t.match(alertsOf(lvs1, source)[0], /^unreachable since \d{4}-\d\d-\d\dT.*Z: keeping the last good pools api, search, web and overrides .*nothing depooled/);
  const http = await (await fetch(new URL('/alerts', lvs1.url), { headers: { accept: 'application/json' } })).json() as { status: string; msg: string };
  t.equal(http.msg.split(`etcd ${etcd.hostPort}: unreachable since`).length - 1, 1, `/alerts says it once: ${http.msg}`);
  t.notMatch(http.msg, /pool (web|search):/, 'no per-pool outage alerts');
  t.same(await lvs1.table(), before, 'IPVS unchanged during the outage: nothing depooled');
  t.equal((await override(lvs1, 'PUT', `web/${HOSTS[1]}`, { state: 'depooled', reason: 'x' })).status, 503, 'writes refused while etcd is away');

  await etcd.start();
  await waitFor('the outage alert cleared', 20_000, async () => alertsOf(lvs1, source).length === 0);
  t.same(await lvs1.table(), before, 'after the full read: the same table');
  await etcd.put(poolDir('api') + HOSTS[1], JSON.stringify({ pooled: 'yes', weight: 10 }));
  await waitFor('the api pool\'s own alert clears when its value is fixed', 10_000, async () => alertsOf(lvs1, 'pool api').length === 0);
  t.equal((await override(lvs1, 'DELETE', `web/${HOSTS[0]}`)).status, 200);
  await waitFor('changes flow again', 10_000, async () => (await lvs1.table()).length === everyServer, 50);
});
