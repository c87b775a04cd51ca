import t from 'tap';
import { closeSync, ftruncateSync, openSync, writeSync } from 'node:fs';
import { sleep, waitFor } from '../lab/proc.js';
import { all, API_VIP, ipvsChanges, nothingMoves, startRig, WEB_VIP } from './pools-rig.js';

// Issue 11: "A pool file rewritten in place (not renamed) was applied at each partial read:
// 4 → 1 → 2 → 3 → 4 servers within a second, with IPVS deletes and re-adds."

t.test('a pool file rewritten in place line by line: applied once, whole; no IPVS delete; [api] untouched', async (t) => {
  const rig = await startRig(t);
  if (!rig) return;
  for (let round = 1; round <= 3; round++) {
    const from = rig.vipd.lines.length;
    const weight = 10 + round;
    const fd = openSync(rig.webFile, 'r+');
    ftruncateSync(fd, 0);
    for (const host of rig.web) {
      writeSync(fd, `{ 'host': '${host}', 'weight': ${weight}, 'enabled': True }\n`);
      await sleep(30 + 10 * round);
    }
    closeSync(fd);
    await waitFor(`round ${round} applied`, 5000, async () => (await rig.servers('web')) === all(rig.web, weight), 50);
    const updates = rig.vipd.lines.slice(from).filter((l) => l.msg === 'pool updated' && l.service === 'web');
    t.same(updates.map((l) => l.servers), [4], `round ${round}: one list delivered, with all 4 servers`);
    const web = ipvsChanges(rig, from, WEB_VIP);
    t.same(web.filter((l) => l.startsWith('-d')), [], `round ${round}: no realserver deleted`);
    t.equal(web.filter((l) => l.startsWith('-e')).length, 4, `round ${round}: the 4 weights edited`);
    t.same(ipvsChanges(rig, from, API_VIP), [], `round ${round}: nothing for [api]`);
  }
  t.ok(await nothingMoves(rig, 1000, { web: all(rig.web, 13), api: all(rig.api) }) > 3);
  t.equal((await rig.alerts()).status, 'ok', 'a partial read would have been an alert or a removal');
});
