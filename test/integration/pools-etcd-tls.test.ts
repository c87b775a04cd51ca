import t from 'tap';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { EtcdSource } from '../../src/pools/etcd-source.js';
import type { PoolServer } from '../../src/pools/types.js';
import { systemClock } from '../../src/time/clock.js';
import { findTool } from '../support/require-tool.js';
import { needTools } from '../lab/need-tools.js';
import { sh, waitFor } from '../lab/proc.js';
import { startEtcd } from './pools-etcd-server.js';

/** A throwaway CA and a server certificate for 127.0.0.1, made with openssl. */
async function makeCerts(dir: string) {
  const p = (f: string) => join(dir, f);
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  await sh('openssl', ['req', '-x509', ...ec, '-keyout', p('ca.key'), '-out', p('ca.pem'), '-days', '1', '-subj', '/CN=vipd test CA',
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
  await sh('openssl', ['req', ...ec, '-keyout', p('server.key'), '-out', p('server.csr'), '-subj', '/CN=127.0.0.1']);
  writeFileSync(p('ext.cnf'), 'subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n');
  await sh('openssl', ['x509', '-req', '-in', p('server.csr'), '-CA', p('ca.pem'), '-CAkey', p('ca.key'), '-CAcreateserial',
    '-out', p('server.pem'), '-days', '1', '-extfile', p('ext.cnf')]);
  return { cert: p('server.pem'), key: p('server.key'), ca: p('ca.pem') };
}

t.test('etcds:// verifies the server certificate', async (t) => {
  if (!needTools(t, 'etcd', 'openssl')) return;
  const dir = t.testdir();
  const tls = await makeCerts(dir);
  const etcd = await startEtcd(findTool('etcd')!, dir, tls);
  t.teardown(() => etcd.stop());
  await etcd.put('/pools/web/mw1', JSON.stringify({ pooled: 'yes', weight: 10 }));
  const url = `etcds://${etcd.hostPort}/pools/web`;

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
  const wrongScheme = new EtcdSource(`etcd://${etcd.hostPort}/pools/web`, { clock: systemClock, backoffMinMs: 100, backoffMaxMs: 200 });
  wrongScheme.start(() => t.fail('plain HTTP to a TLS port must not deliver a list'), (a) => plain.push(a));
  t.teardown(() => wrongScheme.stop());
  await waitFor('an alert for plain HTTP to a TLS port', 5000, async () => plain.length > 0, 10);
  t.comment(plain[0]!);
});
