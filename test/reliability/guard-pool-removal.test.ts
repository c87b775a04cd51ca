import t from 'tap';
import { legacyPool, writeFile } from '../integration/e2e-helpers.js';
import { waitFor, sleep } from '../lab/proc.js';
import { commandsFor, twoServices, VIP_A, VIP_B } from './guard-support.js';

// Issue 11, blast radius: a pool edit that removes 3 of 4 servers of A is held (no IPVS change
// for A, /alerts names A and the hold), then applied once it has persisted for
// pool-removal-hold (2 s here). B is untouched throughout.
t.test('a pool edit removing 3 of 4 servers is held, alerted, then applied after pool-removal-hold; B untouched', async (t) => {
  const s = await twoServices(t, { aExtra: ['pool-removal-hold = 2'] });
  await waitFor('the six realservers in IPVS', 10_000, async () =>
    commandsFor(s.vipd, VIP_A, s.port, 0).filter((l) => l.startsWith('-a ')).length === 4
    && commandsFor(s.vipd, VIP_B, s.port, 0).filter((l) => l.startsWith('-a ')).length === 2, 50);
  const from = s.vipd.lines.length;
  const bBefore = await s.pooled('B');

  writeFile(s.poolA, legacyPool([{ host: s.a[0]! }]));
  const alert = await waitFor('the hold alert', 10_000, async () => {
    const a = await s.alerts();
    return /pool-guard A: pool update held/.test(a.msg) ? a : undefined;
  }, 50);
  t.equal(alert.status, 'warning');
  t.match(alert.msg, `would remove 3 of 4 enabled servers of A (${s.a.slice(1).join(', ')})`, 'names the service and how many go');
  t.match(alert.msg, 'POST /pools/A/confirm-removal', 'says how to confirm');
  t.ok(s.vipd.lines.slice(from).some((l) => l.level === 'warn' && /pool update held/.test(l.msg) && l.service === 'A'), 'logged with the service');
  t.same(commandsFor(s.vipd, VIP_A, s.port, from), [], 'no IPVS change for A while held');
  t.same(Object.values(await s.pooled('A')), [true, true, true, true], 'A keeps its four servers');

  await waitFor('the removal applied after the hold', 10_000, async () =>
    commandsFor(s.vipd, VIP_A, s.port, from).filter((l) => l.startsWith('-d ')).length === 3, 50);
  t.same(commandsFor(s.vipd, VIP_A, s.port, from).sort(), s.a.slice(1).map((ip) => `-d -t ${VIP_A}:${s.port} -r ${ip}:${s.port}`).sort(),
    'exactly the three removed servers left IPVS');
  t.same(Object.keys(await s.pooled('A')), [s.a[0]]);
  t.ok(s.vipd.lines.slice(from).some((l) => /held pool update applied \(it persisted for 2 s\)/.test(l.msg)));
  await waitFor('the alert cleared', 5_000, async () => !/pool-guard/.test((await s.alerts()).msg), 50);

  await sleep(1500); // a few more health rounds of B
  t.same(commandsFor(s.vipd, VIP_B, s.port, from), [], 'B: no IPVS command at all');
  t.same(await s.pooled('B'), bBefore, 'B: same servers, all pooled and up');
});

// (An empty file never reaches the coordinator: the file source keeps its last good list.)
t.test('a mass disable is held too, and changes nothing when it goes away before the hold ends', async (t) => {
  const s = await twoServices(t, { nA: 3, nB: 1, aExtra: ['pool-removal-hold = 30'] });
  const from = s.vipd.lines.length;
  writeFile(s.poolA, legacyPool(s.a.map((host) => ({ host, enabled: false }))));
  await waitFor('the hold alert', 10_000, async () => /pool-guard A: .*it would empty the pool/.test((await s.alerts()).msg), 50);
  writeFile(s.poolA, legacyPool(s.a.map((host) => ({ host }))));
  await waitFor('the hold withdrawn', 10_000, async () => !/pool-guard/.test((await s.alerts()).msg), 50);
  t.ok(s.vipd.lines.slice(from).some((l) => /held pool update withdrawn/.test(l.msg)));
  t.same(commandsFor(s.vipd, VIP_A, s.port, from), [], 'A never left IPVS');
  t.same(Object.values(await s.pooled('A')), [true, true, true]);
});
