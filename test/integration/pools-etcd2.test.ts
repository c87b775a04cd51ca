import t from 'tap';
import { readFileSync } from 'node:fs';
import { findTool } from '../support/require-tool.js';
import { needTools } from '../lab/need-tools.js';
import { waitFor } from '../lab/proc.js';
import { freePort } from './pools-etcd-server.js';
import { makeEtcd2Certs, startEtcd2, startRelay } from './pools-etcd2-server.js';
import { conftool, hosts, watch2 } from './pools-etcd2-watch.js';

// Issue 12 §2: etcd:// is PyBal's etcd v2 over TLS (PYBAL.md §2.3), conftool's keyspace; a real etcd 3.4 --enable-v2.

const DIR = '/conftool/v1/pools/eqiad/text/varnish-fe';

async function lab(t: { testdir(): string; teardown(f: () => unknown): void }) {
  const dir = t.testdir();
  const certs = await makeEtcd2Certs(dir);
  const etcd = await startEtcd2(findTool('etcd')!, dir, certs);
  t.teardown(() => etcd.stop());
  return { certs, etcd, ca: readFileSync(certs.ca) };
}

t.test('initial read, PUT/DELETE, pooled yes/no/inactive, expiry, bad values and an emptied directory', async (t) => {
  if (!needTools(t, 'etcd', 'openssl')) return;
  const { etcd, ca } = await lab(t);
  await etcd.put(`${DIR}/cp1.eqiad.wmnet`, conftool('yes'));
  await etcd.put(`${DIR}/cp2.eqiad.wmnet`, conftool('no', 5));
  await etcd.put(`${DIR}/cp3.eqiad.wmnet`, conftool('inactive'));
  await etcd.put(`${DIR}/sub/deeper`, conftool('yes'));
  const w = watch2(t, `etcd://${etcd.hostPort}${DIR}/`, { ca });
  await w.latest('the initial list', 'cp1.eqiad.wmnet:10:on cp2.eqiad.wmnet:5:off');
  await etcd.put(`${DIR}/cp3.eqiad.wmnet`, conftool('yes', 3));
  await w.latest('inactive → yes', 'cp1.eqiad.wmnet:10:on cp2.eqiad.wmnet:5:off cp3.eqiad.wmnet:3:on');
  await etcd.put(`${DIR}/cp1.eqiad.wmnet`, conftool('no'));
  await w.latest('yes → no: present, disabled', 'cp1.eqiad.wmnet:10:off cp2.eqiad.wmnet:5:off cp3.eqiad.wmnet:3:on');
  await etcd.put(`${DIR}/cp1.eqiad.wmnet`, conftool('inactive'));
  await w.latest('no → inactive: gone', 'cp2.eqiad.wmnet:5:off cp3.eqiad.wmnet:3:on');
  await etcd.del(`${DIR}/cp2.eqiad.wmnet`);
  await w.latest('a deleted key', 'cp3.eqiad.wmnet:3:on');
  await etcd.call('PUT', `/v2/keys${DIR}/cp4.eqiad.wmnet`, `value=${encodeURIComponent(conftool('yes'))}&ttl=1`);
  await w.latest('a key with a TTL', 'cp3.eqiad.wmnet:3:on cp4.eqiad.wmnet:10:on');
  await w.latest('the key expired', 'cp3.eqiad.wmnet:3:on', 8000);
  t.equal(w.alerts.length, 0, 'no alert so far');

  await etcd.put(`${DIR}/cp3.eqiad.wmnet`, '{"pooled": "maybe", "weight": 3}');
  await etcd.put(`${DIR}/cp5.eqiad.wmnet`, conftool('yes'));
  await w.latest('a good key after a bad one', 'cp3.eqiad.wmnet:3:on cp5.eqiad.wmnet:10:on');
  t.equal(w.alerts[0], `etcd://${etcd.hostPort}${DIR}/: key ${DIR}/cp3.eqiad.wmnet: pooled must be "yes", "no" or "inactive", got "{\\"pooled\\": \\"maybe\\", \\"weight\\": 3}"; cp3.eqiad.wmnet left as it was`);
  await etcd.put(`${DIR}/cp3.eqiad.wmnet`, conftool('no', 3));
  await w.latest('the bad key fixed', 'cp3.eqiad.wmnet:3:off cp5.eqiad.wmnet:10:on');
  await waitFor('the recovery', 5000, async () => w.recoveries() === 1, 10);

  await etcd.del(DIR, true);
  await w.alerted('the emptied directory', /no servers in the new list; keeping the previous 2$/);
  t.equal(hosts(w.src.last()!), 'cp3.eqiad.wmnet:3:off cp5.eqiad.wmnet:10:on');
  t.notOk(w.updates.some((u) => u.length === 0), 'never an empty list');
  await etcd.put(`${DIR}/cp6.eqiad.wmnet`, conftool('yes'));
  await w.latest('the new truth', 'cp6.eqiad.wmnet:10:on');
});

t.test('errorCode 401 (history cleared while cut off): the directory is read again', async (t) => {
  if (!needTools(t, 'etcd', 'openssl')) return;
  const { etcd, ca } = await lab(t);
  const relay = await startRelay(etcd.port);
  t.teardown(() => relay.close());
  await etcd.put(`${DIR}/cp1`, conftool('yes'));
  const w = watch2(t, `etcd://127.0.0.1:${relay.port}${DIR}`, { ca, backoffMinMs: 200, backoffMaxMs: 200 });
  await w.latest('the initial list', 'cp1:10:on');
  relay.cut();
  await w.alerted('the lost connection', /127\.0\.0\.1:\d+: /);
  t.equal(hosts(w.src.last()!), 'cp1:10:on', 'the last list stays');
  await etcd.put(`${DIR}/cp2`, conftool('yes', 2));
  // etcd v2 keeps the last 1000 events: 1100 other changes push cp2's out of reach.
  for (let i = 0; i < 1100; i++) await etcd.put(`/other/k${i % 10}`, String(i));
  relay.mend();
  await w.latest('the re-read list', 'cp1:10:on cp2:2:on', 10_000);
  t.ok(w.logs.some((l) => /etcd event history passed index \d+ .*outdated and cleared.*; reading .* again/.test(l)), 'the re-read is logged');
  await waitFor('the recovery', 5000, async () => w.recoveries() >= 1, 10);
  await etcd.put(`${DIR}/cp2`, conftool('no', 2));
  await w.latest('the watch after the re-read', 'cp1:10:on cp2:2:off');
});

t.test('etcd restarts: the last list stays, the watch comes back', async (t) => {
  if (!needTools(t, 'etcd', 'openssl')) return;
  const { etcd, ca } = await lab(t);
  await etcd.put(`${DIR}/cp1`, conftool('yes'));
  await etcd.put(`${DIR}/cp2`, conftool('yes'));
  const w = watch2(t, `etcd://${etcd.hostPort}${DIR}`, { ca });
  await w.latest('the initial list', 'cp1:10:on cp2:10:on');
  await etcd.stop();
  await w.alerted('the connection alert', /ECONNREFUSED|connection lost|socket hang up|ended/);
  t.match(w.alerts[0], /; keeping the previous 2 servers$/);
  t.equal(hosts(w.src.last()!), 'cp1:10:on cp2:10:on');
  await etcd.start();
  await etcd.put(`${DIR}/cp2`, conftool('no'));
  await w.latest('a change after the restart', 'cp1:10:on cp2:10:off', 10_000);
  await waitFor('the recovery', 5000, async () => w.recoveries() === 1, 10);
  t.equal(w.updates.length, 2, 'one list before, one after: nothing in between');
});

t.test('several endpoints: the first one down, then the one in use cut off', async (t) => {
  if (!needTools(t, 'etcd', 'openssl')) return;
  const { etcd, ca } = await lab(t);
  const dead = await freePort('127.0.0.1');
  const relay = await startRelay(etcd.port);
  t.teardown(() => relay.close());
  await etcd.put(`${DIR}/cp1`, conftool('yes'));
  const w = watch2(t, `etcd://127.0.0.1:${dead},127.0.0.1:${relay.port},127.0.0.1:${etcd.port}${DIR}`, { ca });
  await w.latest('the list through the second endpoint', 'cp1:10:on');
  t.same(w.alerts, [], 'a down endpoint with a good one after it is no alert');
  relay.cut();
  await etcd.put(`${DIR}/cp2`, conftool('yes'));
  await w.latest('the change through the third endpoint', 'cp1:10:on cp2:10:on');
  const all = watch2(t, `etcd://127.0.0.1:${dead},127.0.0.1:${relay.port}${DIR}`, { ca });
  await all.alerted('every endpoint down', new RegExp(`127\\.0\\.0\\.1:${dead}: .*ECONNREFUSED.*; 127\\.0\\.0\\.1:${relay.port}: `));
  t.equal(all.src.last(), null);
});

t.test('a quiet watch is asked again (watchRenewMs) from X-Etcd-Index: busy etcd elsewhere, no re-read, no alert, no missed change', async (t) => {
  if (!needTools(t, 'etcd', 'openssl')) return;
  const { etcd, ca } = await lab(t);
  await etcd.put(`${DIR}/cp1`, conftool('yes'));
  const w = watch2(t, `etcd://${etcd.hostPort}${DIR}`, { ca, watchRenewMs: 150 });
  await w.latest('the initial list', 'cp1:10:on');
  // 1500 changes elsewhere, over several renewals: each renewal moves waitIndex past them.
  for (let i = 0; i < 1500; i++) await etcd.put(`/other/k${i % 10}`, String(i));
  await new Promise((r) => setTimeout(r, 400));
  await etcd.put(`${DIR}/cp1`, conftool('no'));
  await w.latest('the change after the renewed watches', 'cp1:10:off');
  t.same(w.alerts, []);
  t.equal(w.updates.length, 2);
  t.notOk(w.logs.some((l) => l.includes('etcd event history passed')), 'no full re-read');
});
