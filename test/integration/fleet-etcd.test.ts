// Issue 17 §2 with a real etcd: one depool reaches every balancer of the site, an instance depool
// stays with its balancer, a malformed value affects only its key, an etcd outage keeps the last
// good pools and overrides (one alert, no mass depool), registrations, and `vipd fleet --etcd`.
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { fleet } from '../../src/cli/commands/fleet.js';
import { ETCD_ALERT, VALUES_ALERT } from '../../src/cli/run/override-etcd.js';
import { membersPrefix, serverKey } from '../../src/coordinator/shared-overrides.js';
import { rangePrefix } from '../../src/pools/etcd-client.js';
import { revokeLease } from '../../src/pools/etcd-write.js';
import { outageSource } from '../../src/pools/etcd-outages.js';
import { etcd3Target } from '../../src/pools/etcd-source.js';
import { systemClock } from '../../src/time/clock.js';
import { needTools } from '../lab/need-tools.js';
import { sleep, waitFor } from '../lab/proc.js';
import { findTool } from '../support/require-tool.js';
import { alertsOf, backends, balancer, HOSTS, override, POOL, SITE, siteEtcd, type Balancer } from './fleet-site.js';
import { freePort } from './pools-etcd-server.js';

const [H2, H3, H4] = HOSTS as [string, string, string];
const ALL = HOSTS.map((h) => `${h}:10`);

t.test('overrides in etcd: shared by the site, instance depool per balancer, outage and return, registrations, fleet', async (t) => {
  if (!needTools(t, 'etcd')) return;
  const root = t.testdir();
  const etcd = await siteEtcd(findTool('etcd')!, root);
  t.teardown(() => etcd.stop());
  for (const h of HOSTS) await etcd.put(POOL + h, JSON.stringify({ pooled: 'yes', weight: 10 }));
  const port = await backends(t);
  const dir = (n: string) => { const d = join(root, n); mkdirSync(d, { recursive: true }); return d; };
  const lvs1 = await balancer(t, etcd, 'lvs1', dir('lvs1'), port);
  let lvs2: Balancer = await balancer(t, etcd, 'lvs2', dir('lvs2'), port);
  const both = () => [lvs1, lvs2];
  const ipvsIs = (what: string, want: string[], bs = both()) =>
    waitFor(what, 10_000, async () => { for (const b of bs) if ((await b.ipvs()).join(' ') !== want.join(' ')) return false; return true; }, 50);
  await ipvsIs('every server up and in IPVS on both balancers', ALL);

  // One depool on lvs1 drains nothing else and reaches lvs2 through etcd.
  const put = await override(lvs1, 'PUT', `web/${H2}`, { state: 'depooled', reason: 'disk' });
  t.equal(put.status, 200, JSON.stringify(put.body));
  await ipvsIs('the depool on lvs1 reaches both balancers', [`${H3}:10`, `${H4}:10`]);
  t.match(JSON.parse(readFileSync(join(lvs2.dir, 'state.json'), 'utf8')), { overrides: { servers: [{ host: H2, state: 'depooled', author: 'alice' }] } },
    "lvs2's state file mirrors etcd");
  t.equal((await override(lvs2, 'PUT', `web/${H3}`, { state: 'drained', reason: 'deploy' })).status, 200);
  await ipvsIs('a drain on lvs2 reaches lvs1 (weight 0)', [`${H3}:0`, `${H4}:10`]);

  // An instance depool is per balancer: the key names it.
  t.equal((await override(lvs1, 'PUT', 'instance', { state: 'depooled', reason: 'rack move' })).status, 200);
  await waitFor('lvs1 depooled as an instance', 5000, async () => lvs1.d.coordinator.status().overrides?.instance?.reason === 'rack move');
  await sleep(300);
  t.equal(lvs2.d.coordinator.status().overrides?.instance ?? null, null, 'lvs2 is not taken out by lvs1\'s instance depool');
  t.equal((await override(lvs1, 'DELETE', 'instance')).status, 200);

  // A malformed value: only its key, named in an alert on every balancer.
  const bad = serverKey(SITE, 'web', H4);
  await etcd.put(bad, '{"state": "depooled", "reason": 7}');
  for (const b of both()) {
    await waitFor(`${b.name}: the bad value alerted`, 5000, async () => alertsOf(b, VALUES_ALERT).some((m) => m.includes(`etcd key ${bad}: reason and author must be strings; ignored`)));
  }
  await sleep(300);
  await ipvsIs('the bad key changes nothing', [`${H3}:0`, `${H4}:10`]);
  await etcd.del(bad);
  await waitFor('the alert clears when the key goes', 5000, async () => both().every((b) => alertsOf(b, VALUES_ALERT).length === 0));

  // An expiring override ends on every balancer by itself, and its key leaves etcd.
  const { ep } = etcd3Target(`etcd3://${etcd.hostPort}${SITE}`, { clock: systemClock });
  const pinned = (b: Balancer) => b.d.coordinator.status().overrides?.servers.some((o) => o.host === H4) ?? false;
  const soon = new Date(Date.now() + 2500).toISOString();
  t.equal((await override(lvs1, 'PUT', `web/${H4}`, { state: 'pooled', reason: 'pin', expires: soon })).status, 200);
  await waitFor('lvs2 has the pin', 5000, async () => pinned(lvs2));
  await waitFor('the pin ended on both and left etcd', 10_000, async () =>
    !pinned(lvs1) && !pinned(lvs2) && (await rangePrefix(ep, serverKey(SITE, 'web', H4))).kvs.length === 0);

  // Registrations under a lease; vipd fleet finds both through etcd.
  const members = async () => (await rangePrefix(ep, membersPrefix(SITE))).kvs.map((kv) => JSON.parse(kv.value) as { name: string; url: string });
  await waitFor('both registered', 5000, async () => (await members()).length === 2);
  t.match((await members()).find((m) => m.name === 'lvs2'), { url: lvs2.url, vips: [], peers: [] });
  const f = await fleet({ etcd: `etcd3://${etcd.hostPort}${SITE}`, json: true, timeout: 5000 });
  t.equal(f.code, 0, f.out);
  const j = JSON.parse(f.out) as { vips: Array<{ vip: string; balancers: Array<{ balancer: string; announced: string; traffic: string }> }> };
  t.same(j.vips.map((v) => [v.vip, v.balancers.map((b) => `${b.balancer} ${b.announced} ${b.traffic}`)]),
    [['10.255.7.1/32', ['lvs1 bgp-off unknown', 'lvs2 bgp-off unknown']]], 'both balancers, BGP off here, no counters metric: unknown');
  const text = await fleet({ etcd: `etcd3://${etcd.hostPort}${SITE}`, json: false, timeout: 5000 });
  t.match(text.out, /10\.255\.7\.1\/32\s+lvs1\s+bgp-off\s+-\s+unknown/);

  // etcd outage: one alert each (the endpoint's, for the pool and the overrides), pools and overrides kept, no depool; writes refused (503).
  await etcd.stop();
  const outage = outageSource(etcd.hostPort);
  for (const b of both()) {
    await waitFor(`${b.name}: the outage alert`, 10_000, async () => /pool web and overrides \(2 in force/.test(alertsOf(b, outage)[0] ?? ''));
    t.same(alertsOf(b, ETCD_ALERT), [], 'no second alert for the overrides');
  }
  await sleep(1500);
  await ipvsIs('during the outage IPVS keeps the last good pool and overrides', [`${H3}:0`, `${H4}:10`]);
  const refused = await override(lvs1, 'PUT', `web/${H4}`, { state: 'pooled', reason: 'pin' });
  t.equal(refused.status, 503, 'a write that cannot reach etcd is refused');
  t.match(refused.body, { error: /overrides-source \(etcd\) not written: .*nothing changed/ });

  // A balancer restarted while etcd is down starts from its state file (the last good etcd state).
  await lvs2.stop();
  lvs2 = await balancer(t, etcd, 'lvs2', lvs2.dir, port);
  t.same(lvs2.d.coordinator.status().overrides?.servers.map((o) => `${o.host}:${o.state}`), [`${H2}:depooled`, `${H3}:drained`],
    'lvs2 starts with the overrides of its state file');
  await waitFor('lvs2: the outage alert', 10_000, async () => alertsOf(lvs2, outage).length === 1);

  // etcd returns: full read, alert cleared, changes flow again.
  await etcd.start();
  for (const b of both()) await waitFor(`${b.name}: the alert cleared`, 15_000, async () => alertsOf(b, outage).length === 0);
  await ipvsIs('lvs2 has its pool again, with the shared overrides', [`${H3}:0`, `${H4}:10`]);
  t.equal((await override(lvs2, 'DELETE', `web/${H2}`)).status, 200);
  t.equal((await override(lvs2, 'DELETE', `web/${H3}`)).status, 200);
  await ipvsIs('the repools reach both balancers', ALL);

  // lvs2, started while etcd was down, registers once it answers.
  await waitFor('both registered after the outage', 15_000, async () => (await members()).map((m) => m.name).sort().join() === 'lvs1,lvs2');
  // --instances: the same list from URLs; a balancer that does not answer is named, exit 1.
  const dead = `http://127.0.0.1:${await freePort('127.0.0.1')}/`;
  const byUrl = await fleet({ instances: `${lvs1.url},${lvs2.url},${dead}`, json: false, timeout: 3000 });
  t.equal(byUrl.code, 1, 'exit 1 when a balancer cannot be read');
  t.equal(byUrl.out.match(/^10\.255\.7\.1\/32\s+127\.0\.0\.1:\d+\s+bgp-off\s+-\s+unknown/gm)?.length, 2, byUrl.out);
  t.match(byUrl.out, /127\.0\.0\.1:\d+ \(http:\/\/127\.0\.0\.1:\d+\/\): unreachable: .*ECONNREFUSED/);

  // Leases that end (as when etcd stays away past the TTL): granted anew, the registrations come back.
  const leases = await (await fetch(`http://${etcd.hostPort}/v3/lease/leases`, { method: 'POST', body: '{}' })).json() as { leases?: Array<{ ID: string }> };
  // lvs2's first lease may still be there: its stop could not revoke it while etcd was down.
  t.ok((leases.leases?.length ?? 0) >= 2, 'a lease per balancer');
  for (const l of leases.leases ?? []) await revokeLease(ep, l.ID);
  t.same(await members(), [], 'the registrations went with their leases');
  await waitFor('both registered again under new leases', 10_000, async () => (await members()).length === 2);

  // A clean stop removes the registration at once (lease revoked).
  await lvs1.stop();
  await waitFor('lvs1 deregistered', 5000, async () => (await members()).map((m) => m.name).join() === 'lvs2');
  t.ok(existsSync(join(lvs1.dir, 'state.json')));
});
