import t from 'tap';
import { readFileSync } from 'node:fs';
import { findTool } from '../support/require-tool.js';
import { needTools } from '../lab/need-tools.js';
import { startDnsmasq } from '../lab/dnsmasq.js';
import { freePort } from './pools-etcd-server.js';
import { makeEtcd2Certs, startEtcd2 } from './pools-etcd2-server.js';
import { conftool, hosts, watch2 } from './pools-etcd2-watch.js';

// Issue 12 §2: etcd v2 over TLS, verified (or not, with etcd-insecure), client certificates,
// v2 basic auth, DNS SRV discovery; a real etcd 3.4 --enable-v2.

const DIR = '/conftool/v1/pools/eqiad/text/varnish-fe';
const CERT_ERROR = /self[- ]signed|unable to (get|verify)|certificate/i;

async function lab(t: { testdir(): string; teardown(f: () => unknown): void }, clientCertAuth = false) {
  const dir = t.testdir();
  const certs = await makeEtcd2Certs(dir);
  const etcd = await startEtcd2(findTool('etcd')!, dir, certs, { clientCertAuth });
  t.teardown(() => etcd.stop());
  await etcd.put(`${DIR}/cp1`, conftool('yes'));
  return { certs, etcd, ca: readFileSync(certs.ca) };
}

t.test('a certificate that does not verify: alerted, the last list kept', async (t) => {
  if (!needTools(t, 'etcd', 'openssl')) return;
  const { etcd, ca } = await lab(t);
  const w = watch2(t, `etcd://${etcd.hostPort}${DIR}`, { ca });
  await w.latest('the initial list', 'cp1:10:on');
  await etcd.stop();
  etcd.useOtherCert();
  await etcd.start();
  await etcd.put(`${DIR}/cp2`, conftool('yes'));
  const a = await w.alerted('the certificate alert', CERT_ERROR);
  t.match(a, /; keeping the previous 1 servers$/);
  t.equal(hosts(w.src.last()!), 'cp1:10:on', 'the change behind the bad certificate is not taken');
  t.equal(w.updates.length, 1);
  t.comment(a);
});

t.test('no trusted CA: refused; etcd-insecure: read without verification, warned', async (t) => {
  if (!needTools(t, 'etcd', 'openssl')) return;
  const { etcd } = await lab(t);
  const strict = watch2(t, `etcd://${etcd.hostPort}${DIR}`);
  await strict.alerted('the certificate alert', CERT_ERROR);
  t.equal(strict.src.last(), null);
  const loose = watch2(t, `etcd://${etcd.hostPort}${DIR}`, { insecure: true });
  await loose.latest('the list without verification', 'cp1:10:on');
  t.ok(loose.logs.some((l) => l.includes('"level":"warn"') && l.includes('etcd-insecure: the etcd server certificate is not verified')), 'warned');
});

t.test('a client certificate where etcd asks for one', async (t) => {
  if (!needTools(t, 'etcd', 'openssl')) return;
  const { etcd, ca, certs } = await lab(t, true);
  const without = watch2(t, `etcd://${etcd.hostPort}${DIR}`, { ca });
  await without.alerted('the handshake alert', /certificate|handshake|socket hang up|ECONNRESET|alert/i);
  t.equal(without.src.last(), null);
  t.comment(without.alerts[0]!);
  const w = watch2(t, `etcd://${etcd.hostPort}${DIR}`, { ca, cert: readFileSync(certs.clientCert), key: readFileSync(certs.clientKey) });
  await w.latest('the list with a client certificate', 'cp1:10:on');
  await etcd.put(`${DIR}/cp1`, conftool('no'));
  await w.latest('a watch event with a client certificate', 'cp1:10:off');
});

t.test('etcd v2 basic auth from the URL, shown redacted', async (t) => {
  if (!needTools(t, 'etcd', 'openssl')) return;
  const { etcd, ca } = await lab(t);
  await etcd.enableAuth('r00tpw');
  const json = 'application/json';
  t.match(await etcd.call('PUT', '/v2/auth/roles/pybal', JSON.stringify({ role: 'pybal', permissions: { kv: { read: ['/conftool/*'], write: [] } } }), json), /^20[01]$/);
  t.match(await etcd.call('PUT', '/v2/auth/users/pybal', JSON.stringify({ user: 'pybal', password: 's3cret', roles: ['pybal'] }), json), /^20[01]$/);
  const good = watch2(t, `etcd://pybal:s3cret@${etcd.hostPort}${DIR}`, { ca });
  await good.latest('the list as pybal', 'cp1:10:on');
  await etcd.put(`${DIR}/cp2`, conftool('yes'));
  await good.latest('a watch event as pybal', 'cp1:10:on cp2:10:on');
  const wrong = watch2(t, `etcd://pybal:wrong@${etcd.hostPort}${DIR}`, { ca });
  const a = await wrong.alerted('the auth alert', /HTTP 401/);
  t.match(a, new RegExp(`^etcd://\\*\\*\\*@${etcd.hostPort}${DIR}: ${etcd.hostPort}: etcd answered HTTP 401`));
  t.notMatch(a, /wrong|s3cret/);
  const none = watch2(t, `etcd://${etcd.hostPort}${DIR}`, { ca });
  await none.alerted('the alert without credentials', /HTTP 401/);
  t.equal(none.src.last(), null);
});

t.test('DNS SRV discovery (_etcd-client-ssl._tcp), RFC 2782 priority order, through a resolver on loopback', async (t) => {
  if (!needTools(t, 'etcd', 'openssl', 'dnsmasq')) return;
  const { etcd, ca } = await lab(t);
  const dead = await freePort('127.0.0.1');
  const dnsPort = await startDnsmasq(t, findTool('dnsmasq')!, '127.0.0.1', [
    '--host-record=etcd1.example.test,127.0.0.1', '--host-record=etcd2.example.test,127.0.0.1',
    `--srv-host=_etcd-client-ssl._tcp.example.test,etcd2.example.test,${dead},0,10`,
    `--srv-host=_etcd-client-ssl._tcp.example.test,etcd1.example.test,${etcd.port},10,10`,
  ]);
  const dnsServers = [`127.0.0.1:${dnsPort}`];
  const w = watch2(t, `etcd://_etcd-client-ssl._tcp.example.test${DIR}`, { ca, dnsServers });
  await w.latest('the list from the SRV target', 'cp1:10:on');
  await etcd.put(`${DIR}/cp1`, conftool('no'));
  await w.latest('a watch event through the SRV target', 'cp1:10:off');
  t.same(w.alerts, [], 'the first (dead) target is passed over silently');
  const missing = watch2(t, `etcd://_etcd-client-ssl._tcp.nowhere.example.test${DIR}`, { ca, dnsServers });
  await missing.alerted('the DNS alert', /DNS SRV _etcd-client-ssl\._tcp\.nowhere\.example\.test: /);
  t.comment(missing.alerts[0]!);
});
