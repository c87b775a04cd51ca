import t from 'tap';
import { legacyPool, writeFile } from '../integration/e2e-helpers.js';
import { sleep, waitFor } from '../lab/proc.js';
import { all, API_VIP, ipvsChanges, nothingMoves, startRig, WEB_VIP } from './pools-rig.js';

// Issue 11: "A 100,000-line pool file wedged the daemon: the API stopped answering, ... every VIP
// was withdrawn, including services the file did not touch." Now a text over a limit (16 MiB,
// 100,000 lines, pool-max-servers = 10,000) is refused whole before parsing: alerted once,
// logged once, the last good list stays, nothing else degrades.

t.test('a 100,000-line pool file and a 17 MiB one are refused whole and cheaply; [api], the API and both VIPs untouched', async (t) => {
  const rig = await startRig(t);
  if (!rig) return;
  const from = rig.vipd.lines.length;
  writeFile(rig.webFile, Array.from({ length: 100_000 }, (_, i) => `{ 'host': 'mw${i}.example.org', 'weight': 10, 'enabled': True }`).join('\n') + '\n');
  const refusal = `${rig.webFile}: pool text has 100000 server lines, more than pool-max-servers 10000; refused whole, keeping the previous 4 servers`;
  await waitFor('the refusal in /alerts', 5000, async () => (await rig.alerts()).msg.includes(refusal), 50);
  t.equal((await rig.alerts()).status, 'warning');
  // The API answers at once all along (it stopped answering before).
  const slowest = { ms: 0 };
  const probe = async (): Promise<void> => {
    const t0 = Date.now();
    await rig.servers('api');
    slowest.ms = Math.max(slowest.ms, Date.now() - t0);
  };
  const checks = await nothingMoves(rig, 2000, { web: all(rig.web), api: all(rig.api) });
  for (let i = 0; i < 10; i++) await probe();
  t.ok(checks > 5, '[web] keeps its 4, [api] its 4, both VIPs announced');
  t.ok(slowest.ms < 1000, `the API answers (slowest ${slowest.ms} ms)`);
  const said = rig.vipd.lines.filter((l) => l.msg.includes('more than pool-max-servers 10000'));
  t.equal(said.length, 1, 'logged once');
  await sleep(1500);
  t.equal(rig.vipd.lines.filter((l) => l.msg.includes('more than pool-max-servers 10000')).length, said.length, 'not logged again while the file stays');
  t.notOk(rig.vipd.lines.slice(from).some((l) => /could not resolve/.test(l.msg)), 'no host of the refused file was looked up');

  writeFile(rig.webFile, `# ${'x'.repeat(17 * 1024 * 1024)}\n${legacyPool([{ host: rig.web[0]! }])}`);
  await waitFor('the size refusal in /alerts', 5000, async () =>
    (await rig.alerts()).msg.includes(`${rig.webFile}: pool text is 17 MiB, more than the limit of 16 MiB; refused whole, keeping the previous 4 servers`), 50);
  t.ok(await nothingMoves(rig, 1500, { web: all(rig.web), api: all(rig.api) }) > 3, 'still nothing moved');
  t.same(ipvsChanges(rig, from, WEB_VIP), [], 'no IPVS change for [web]');
  t.same(ipvsChanges(rig, from, API_VIP), [], 'no IPVS change for [api]');

  writeFile(rig.webFile, legacyPool(rig.web.map((host) => ({ host, weight: 7 }))));
  await waitFor('a good file applies again', 5000, async () => (await rig.servers('web')) === all(rig.web, 7), 50);
  await waitFor('the alert cleared', 5000, async () => (await rig.alerts()).status === 'ok', 50);
});
