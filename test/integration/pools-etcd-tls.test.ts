import t from 'tap';
import { readFileSync } from 'node:fs';
import { EtcdSource } from '../../src/pools/etcd-source.js';
import type { PoolServer } from '../../src/pools/types.js';
import { systemClock } from '../../src/time/clock.js';
import { findTool } from '../support/require-tool.js';
import { needTools } from '../lab/need-tools.js';
import { waitFor } from '../lab/proc.js';
import { makeCerts, startEtcd } from './pools-etcd-server.js';

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
