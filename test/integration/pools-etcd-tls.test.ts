import t from 'tap';
import { readFileSync } from 'node:fs';
import { EtcdSource } from '../../src/pools/etcd-source.js';
import type { PoolServer } from '../../src/pools/types.js';
import { systemClock } from '../../src/time/clock.js';
import { findTool } from '../support/require-tool.js';
import { needTools } from '../lab/need-tools.js';
import { waitFor } from '../lab/proc.js';
import { makeCerts, startEtcd } from './pools-etcd-server.js';
import { fleet } from '../../src/cli/commands/fleet.js';
import { membersPrefix } from '../../src/coordinator/shared-overrides.js';
import { createPoolSource, readEtcdTls } from '../../src/pools/create.js';
import { openStore } from '../../src/pools/store.js';
import { backends, balancer, HOSTS, override, POOL, SITE } from './fleet-site.js';

t.test('etcd3s:// verifies the server certificate', async (t) => {
  if (!needTools(t, 'etcd', 'openssl')) return;
  const dir = t.testdir();
  const tls = await makeCerts(dir);
  const etcd = await startEtcd(findTool('etcd')!, dir, tls);
  t.teardown(() => etcd.stop());
  await etcd.put('/pools/web/mw1', JSON.stringify({ pooled: 'yes', weight: 10 }));
  const url = `etcd3s://${etcd.hostPort}/pools/web`;

  const trusted: PoolServer[][] = [];
  const ok = new EtcdSource(url, { clock: systemClock, ca: readFileSync(tls.ca) });
  ok.start((s) => trusted.push(s), () => {});
  t.teardown(() => ok.stop());
  await waitFor('the list over TLS', 5000, async () => trusted.length === 1, 10);
  t.same(trusted[0], [{ host: 'mw1', weight: 10, enabled: true }]);
  await etcd.put('/pools/web/mw2', JSON.stringify({ pooled: 'no', weight: 1 }));
  await waitFor('a watch event over TLS', 5000, async () => trusted.length === 2, 10);

  const alerts: string[] = [];
  const untrusted = new EtcdSource(url, { clock: systemClock, backoffMinMs: 100, backoffMaxMs: 200 });
  untrusted.start(() => t.fail('an unverified server must not deliver a list'), (a) => alerts.push(a));
  t.teardown(() => untrusted.stop());
  await waitFor('the certificate alert', 5000, async () => alerts.length > 0, 10);
  t.match(alerts[0], /self[- ]signed|unable to (get|verify)/i);
  t.equal(untrusted.last(), null);
  t.comment(alerts[0]!);

  const plain: string[] = [];
  const wrongScheme = new EtcdSource(`etcd3://${etcd.hostPort}/pools/web`, { clock: systemClock, backoffMinMs: 100, backoffMaxMs: 200 });
  wrongScheme.start(() => t.fail('plain HTTP to a TLS port must not deliver a list'), (a) => plain.push(a));
  t.teardown(() => wrongScheme.stop());
  await waitFor('an alert for plain HTTP to a TLS port', 5000, async () => plain.length > 0, 10);
  t.comment(plain[0]!);
});

t.test('etcd3s:// honours etcd-ca: a pool, the overrides and registration of a balancer, vipd fleet', async (t) => {
  if (!needTools(t, 'etcd', 'openssl')) return;
  const dir = t.testdir();
  const tls = await makeCerts(dir);
  const etcd = await startEtcd(findTool('etcd')!, dir, tls);
  t.teardown(() => etcd.stop());
  for (const h of HOSTS) await etcd.put(POOL + h, JSON.stringify({ pooled: 'yes', weight: 10 }));

  // The pool source from a service's etcd-ca (createPoolSource), as `vipd run` builds it.
  const lists: PoolServer[][] = [];
  const src = createPoolSource(`etcd3s://${etcd.hostPort}${POOL}`, { clock: systemClock, etcd: { caFile: tls.ca } });
  src.start((s) => lists.push(s), () => {});
  t.teardown(() => src.stop());
  await waitFor('the list over TLS, trusted through etcd-ca', 5000, async () => lists.length === 1, 10);

  // The site keys: without etcd-ca the server is not trusted; with it they are read.
  const url = `etcd3s://${etcd.hostPort}${SITE}`;
  await t.rejects(openStore(url, { clock: systemClock }).read(membersPrefix(SITE)), /self[- ]signed|unable to (get|verify)/i);
  const store = openStore(url, { clock: systemClock, tls: readEtcdTls({ caFile: tls.ca }) });
  t.same(await store.read(membersPrefix(SITE)), []);

  // A balancer with [global] etcd-ca: pool, overrides and registration over etcd3s://.
  const port = await backends(t);
  const b = await balancer(t, etcd, 'lvs1', dir, port, { overrides: url, pools: { web: `etcd3s://${etcd.hostPort}${POOL}` }, global: `etcd-ca = ${tls.ca}` });
  await waitFor('the pool in IPVS', 10_000, async () => (await b.ipvs()).length === HOSTS.length, 50);
  await waitFor('registered over etcd3s://', 10_000, async () => (await store.read(membersPrefix(SITE))).length === 1, 50);
  t.equal((await override(b, 'PUT', `web/${HOSTS[0]}`, { state: 'depooled', reason: 'tls' })).status, 200, 'an override written over etcd3s://');
  await waitFor('the depool applied through the watch', 10_000, async () => (await b.ipvs()).length === HOSTS.length - 1, 50);
  t.same(b.d.coordinator.status().alerts.map((a) => a.source), ['overrides'], 'no alert but the override in force (no TLS or etcd problem)');
  const f = await fleet({ etcd: url, etcdCa: tls.ca, json: true, timeout: 5000 });
  t.same((JSON.parse(f.out) as { balancers: Array<{ name: string }> }).balancers.map((x) => x.name), ['lvs1'], 'vipd fleet --etcd-ca');
});
