// Issue 17 §2 over etcd v2 (`overrides-source = etcd://`, conftool's etcd at Wikimedia): a real
// etcd 3.4 --enable-v2 over TLS (etcd-ca in [global]). One depool reaches every balancer, a
// malformed value affects its key only, a removed directory repools, registrations are keys with
// a TTL that `vipd fleet --etcd etcd://` lists, a balancer cut off keeps its last good state (one
// alert) and reads everything again when it is back; a watch that falls out of etcd's 1000-event
// history (errorCode 401) reads the whole tree again within its session.
import { mkdirSync, readFileSync } from 'node:fs';
import https from 'node:https';
import { join } from 'node:path';
import t from 'tap';
import { fleet } from '../../src/cli/commands/fleet.js';
import { VALUES_ALERT } from '../../src/cli/run/override-etcd.js';
import { membersPrefix, serverKey } from '../../src/coordinator/shared-overrides.js';
import { outageSource } from '../../src/pools/etcd-outages.js';
import { openStore } from '../../src/pools/store.js';
import { systemClock } from '../../src/time/clock.js';
import { needTools } from '../lab/need-tools.js';
import { sleep, waitFor } from '../lab/proc.js';
import { findTool } from '../support/require-tool.js';
import { alertsOf, backends, balancer, HOSTS, override, POOL, SITE, type Balancer } from './fleet-site.js';
import { makeEtcd2Certs, startEtcd2, startRelay } from './pools-etcd2-server.js';

const [H2, H3, H4] = HOSTS as [string, string, string];
const ALL = HOSTS.map((h) => `${h}:10`);

/** A v2 GET with the test CA: the node (value, ttl) or null. */
function getNode(hostPort: string, ca: Buffer, key: string): Promise<{ value?: string; ttl?: number } | null> {
  return new Promise((resolve, reject) => {
    https.get(`https://${hostPort}/v2/keys${key}`, { ca, timeout: 5000 }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => { body += c.toString(); });
      res.on('end', () => resolve(res.statusCode === 200 ? (JSON.parse(body) as { node: { value?: string; ttl?: number } }).node : null));
    }).on('error', reject);
  });
}

/** A v2 etcd over TLS (its CA), and a relay to it the test can cut or hold. */
async function lab(t: { testdir(): string; teardown(f: () => unknown): void }) {
  const root = t.testdir();
  const certs = await makeEtcd2Certs(root);
  const etcd = await startEtcd2(findTool('etcd')!, root, certs);
  t.teardown(() => etcd.stop());
  const relay = await startRelay(etcd.port);
  t.teardown(() => relay.close());
  return { root, certs, ca: readFileSync(certs.ca), etcd, relay };
}

t.test('overrides and registrations in etcd v2 (etcd://): shared, per key, TTL registrations, fleet, cut off and back', async (t) => {
  if (!needTools(t, 'etcd', 'openssl')) return;
  const { root, certs, ca, etcd, relay } = await lab(t);
  for (const h of HOSTS) await etcd.put(POOL + h, JSON.stringify({ pooled: 'yes', weight: 10 }));
  const port = await backends(t);
  const dir = (n: string) => { const d = join(root, n); mkdirSync(d, { recursive: true }); return d; };
  const v2 = (hostPort: string) => ({
    overrides: `etcd://${hostPort}${SITE}`, pools: { web: `etcd://${hostPort}${POOL}` }, global: `etcd-ca = ${certs.ca}`,
  });
  const lvs1 = await balancer(t, etcd, 'lvs1', dir('lvs1'), port, v2(etcd.hostPort));
  // lvs2 reaches etcd through a relay the test can cut.
  const lvs2 = await balancer(t, etcd, 'lvs2', dir('lvs2'), port, v2(`127.0.0.1:${relay.port}`));
  const both = (): Balancer[] => [lvs1, lvs2];
  const ipvsIs = (what: string, want: string[], bs = both(), ms = 10_000) =>
    waitFor(what, ms, async () => { for (const b of bs) if ((await b.ipvs()).join(' ') !== want.join(' ')) return false; return true; }, 50);
  await ipvsIs('every server in IPVS on both balancers (pools over v2 too)', ALL);

  t.equal((await override(lvs1, 'PUT', `web/${H2}`, { state: 'depooled', reason: 'disk' })).status, 200);
  await ipvsIs('a depool on lvs1 reaches both through etcd v2', [`${H3}:10`, `${H4}:10`]);
  t.match(await getNode(etcd.hostPort, ca, serverKey(SITE, 'web', H2)), { value: /"state":"depooled"/ }, 'stored as a v2 key');
  t.match(JSON.parse(readFileSync(join(lvs2.dir, 'state.json'), 'utf8')), { overrides: { servers: [{ host: H2, state: 'depooled' }] } }, "lvs2's state file mirrors etcd");
  t.equal((await override(lvs2, 'PUT', `web/${H3}`, { state: 'drained', reason: 'deploy' })).status, 200);
  await ipvsIs('a drain on lvs2 reaches lvs1', [`${H3}:0`, `${H4}:10`]);

  // A malformed value: only its key, named on every balancer.
  const bad = serverKey(SITE, 'web', H4);
  await etcd.put(bad, 'not json');
  for (const b of both()) await waitFor(`${b.name}: the bad value alerted`, 5000, async () => alertsOf(b, VALUES_ALERT).some((m) => m.includes(`etcd key ${bad}: value is not JSON; ignored`)));
  await sleep(300);
  await ipvsIs('the bad key changes nothing', [`${H3}:0`, `${H4}:10`]);
  await etcd.del(bad);
  await waitFor('the alert clears when the key goes', 5000, async () => both().every((b) => alertsOf(b, VALUES_ALERT).length === 0));

  // The directory of the web overrides removed at once (etcdctl rm -r): every override in it ends.
  await etcd.del(`${SITE}/overrides/servers/web`, true);
  await ipvsIs('a removed directory repools on both', ALL);

  // Registrations: keys with a TTL, refreshed; vipd fleet --etcd etcd:// lists both.
  const store = openStore(`etcd://${etcd.hostPort}${SITE}`, { clock: systemClock, tls: { ca } });
  const members = async () => (await store.read(membersPrefix(SITE))).map((kv) => JSON.parse(kv.value) as { name: string; url: string });
  await waitFor('both registered', 10_000, async () => (await members()).length === 2);
  const reg = await getNode(etcd.hostPort, ca, `${SITE}/members/lvs1`);
  t.ok(reg?.ttl !== undefined && reg.ttl > 0 && reg.ttl <= 10, `a TTL key (ttl ${reg?.ttl})`);
  await sleep(4500);
  const later = await getNode(etcd.hostPort, ca, `${SITE}/members/lvs1`);
  t.ok(later?.ttl !== undefined && later.ttl >= 5, `refreshed before it ends (ttl ${later?.ttl} after 4.5 s)`);
  const f = await fleet({ etcd: `etcd://${etcd.hostPort}${SITE}`, etcdCa: certs.ca, json: true, timeout: 5000 });
  t.equal(f.code, 0, f.out);
  t.same((JSON.parse(f.out) as { balancers: Array<{ name: string }> }).balancers.map((b) => b.name), ['lvs1', 'lvs2']);
  const untrusted = await fleet({ etcd: `etcd://${etcd.hostPort}${SITE}`, json: true, timeout: 3000 });
  t.equal(untrusted.code, 1, 'without etcd-ca the TLS etcd is not trusted');

  // lvs2 cut off; etcd moves past its 1000-event history meanwhile; a depool on lvs1 in between.
  relay.cut();
  const outage = outageSource(`127.0.0.1:${relay.port}`);
  await waitFor('lvs2: one outage alert for its pool and overrides', 15_000, async () => /pool web and overrides/.test(alertsOf(lvs2, outage)[0] ?? ''));
  t.equal((await override(lvs2, 'PUT', `web/${H4}`, { state: 'depooled', reason: 'x' })).status, 503, 'lvs2 cannot write: 503');
  t.equal((await override(lvs1, 'PUT', `web/${H4}`, { state: 'depooled', reason: 'rack' })).status, 200);
  await ipvsIs('lvs1 applies it', [`${H2}:10`, `${H3}:10`], [lvs1]);
  t.same(await lvs2.ipvs(), ALL, 'lvs2 keeps its last good state while cut off');
  for (let i = 0; i < 1100; i++) await etcd.put('/elsewhere/churn', String(i));
  relay.mend();
  await ipvsIs('lvs2 reads everything again and gets the depool', [`${H2}:10`, `${H3}:10`], [lvs2], 30_000);
  await waitFor('lvs2: the outage alert cleared', 15_000, async () => alertsOf(lvs2, outage).length === 0);

  // A clean stop removes the registration at once.
  await lvs1.stop();
  await waitFor('lvs1 deregistered', 10_000, async () => (await members()).map((m) => m.name).join() === 'lvs2');
});

t.test('a v2 watch that falls out of etcd\'s 1000-event history (errorCode 401) reads the whole tree again, in the same session', async (t) => {
  if (!needTools(t, 'etcd', 'openssl')) return;
  const { ca, etcd, relay } = await lab(t);
  const dir = `${SITE}/overrides/`;
  await etcd.put(`${dir}servers/web/a`, '1');
  const store = openStore(`etcd://127.0.0.1:${relay.port}${SITE}`, { clock: systemClock, tls: { ca } });
  const resets: string[][] = [];
  const seen = new Map<string, string>();
  const abort = new AbortController();
  let failed: unknown = null;
  const following = store.follow(dir, abort.signal, {
    onReset: (kvs) => { resets.push(kvs.map((kv) => kv.key)); seen.clear(); for (const kv of kvs) seen.set(kv.key, kv.value); },
    onEvents: (events) => { for (const e of events) if (e.type === 'put') seen.set(e.kv.key, e.kv.value); else seen.delete(e.key); },
  }).catch((e: unknown) => { failed = e; });
  t.teardown(async () => { abort.abort(); await following; });
  await waitFor('the first read', 10_000, async () => resets.length === 1);
  await sleep(300); // the long poll is in etcd's hands
  // The answer to the waiting poll is held back while 1100 other writes pass it: the next poll
  // asks for an index etcd no longer has.
  relay.hold();
  await etcd.put(`${dir}servers/web/b`, '2');
  for (let i = 0; i < 1100; i++) await etcd.put('/elsewhere/churn', String(i));
  await etcd.put(`${dir}servers/web/c`, '3');
  relay.release();
  await waitFor('a second full read after the 401', 15_000, async () => resets.length === 2);
  t.same([...seen.keys()].sort(), [`${dir}servers/web/a`, `${dir}servers/web/b`, `${dir}servers/web/c`], 'everything, c included');
  t.equal(failed, null, 'no failure, no reconnect: the 401 is handled inside the session');
});
