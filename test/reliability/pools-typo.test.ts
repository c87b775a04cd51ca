import t from 'tap';
import { legacyPool, writeFile } from '../integration/e2e-helpers.js';
import { waitFor } from '../lab/proc.js';
import { all, API_VIP, ipvsChanges, nothingMoves, startRig, typoLine, WEB_VIP } from './pools-rig.js';

// Issue 11: "A typo in 3 of 4 pool lines (`'weight': '10'`) removed 3 of 4 realservers."
// Now each host named by a bad line keeps its last good entry, a bad line for a new host adds
// nothing, /alerts names file:line, and nothing else moves.

t.test('a typo in 3 of 4 pool lines: the 3 hosts keep their entries, [api] and both VIPs untouched', async (t) => {
  const rig = await startRig(t);
  if (!rig) return;
  const from = rig.vipd.lines.length;
  const [w1, w2, w3, w4] = rig.web as [string, string, string, string];
  writeFile(rig.webFile, [typoLine(w1), typoLine(w2), typoLine(w3), `{ 'host': '${w4}', 'weight': 10, 'enabled': True }`,
    typoLine('127.0.0.99')].join('\n') + '\n');
  await waitFor('the alert naming file and line', 5000, async () => (await rig.alerts()).msg.includes(`${rig.webFile}:1:`), 50);
  const a = await rig.alerts();
  t.equal(a.status, 'warning');
  for (const [i, h] of [w1, w2, w3].entries()) t.match(a.msg, `${rig.webFile}:${i + 1}: ${h}: weight must be an integer, got '10'`);
  t.match(a.msg, `${rig.webFile}:5: 127.0.0.99: weight must be an integer, got '10'`);
  t.match(a.msg, `kept the previous entry of ${w1}, ${w2}, ${w3}`);
  t.ok(await nothingMoves(rig, 2000, { web: all(rig.web), api: all(rig.api) }) > 5, '[web] keeps its 4, [api] its 4, both VIPs announced');
  t.same(ipvsChanges(rig, from, WEB_VIP), [], 'no IPVS change for [web]');
  t.same(ipvsChanges(rig, from, API_VIP), [], 'no IPVS change for [api]');

  // Fixed: the alert clears and a real change applies again.
  writeFile(rig.webFile, legacyPool(rig.web.map((host) => ({ host, weight: host === w1 ? 20 : 10 }))));
  await waitFor('the fixed file applied', 5000, async () => (await rig.servers('web')).includes(`${w1}:20:pooled`), 50);
  await waitFor('the alert cleared', 5000, async () => (await rig.alerts()).status === 'ok', 50);
  t.equal(await rig.servers('api'), all(rig.api));
});
