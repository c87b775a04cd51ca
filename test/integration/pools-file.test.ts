import t from 'tap';
import { appendFileSync, closeSync, ftruncateSync, openSync, renameSync, rmSync, utimesSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { FileSource } from '../../src/pools/file-source.js';
import type { PoolServer } from '../../src/pools/types.js';
import { systemClock } from '../../src/time/clock.js';
import { sleep, waitFor } from '../lab/proc.js';

const line = (host: string, weight = 10, enabled = true) => `{ 'host': '${host}', 'weight': ${weight}, 'enabled': ${enabled ? 'True' : 'False'} }\n`;

function watchSource(t: { teardown(f: () => unknown): void }, path: string, watch = true) {
  const updates: PoolServer[][] = [];
  const alerts: string[] = [];
  let recoveries = 0;
  const src = new FileSource(pathToFileURL(path).href, { clock: systemClock, ...(watch ? {} : { watch: false }) });
  src.start((s) => updates.push(s), (a) => alerts.push(a), () => { recoveries++; });
  t.teardown(() => src.stop());
  /** Waits at most 1 s for an update satisfying `want`. */
  const within1s = (what: string, want: (s: PoolServer[]) => boolean) =>
    waitFor(what, 1000, async () => updates.length > 0 && want(updates[updates.length - 1]!), 10);
  return { src, updates, alerts, within1s, recoveries: () => recoveries };
}
const hosts = (s: PoolServer[]) => s.map((x) => `${x.host}:${x.weight}:${x.enabled ? 'on' : 'off'}`).join(' ');

for (const watch of [true, false]) {
  t.test(`file edits are reflected within 1 s (${watch ? 'fs.watch' : 'polling only'})`, async (t) => {
    const dir = t.testdir();
    const path = join(dir, 'web-servers');
    writeFileSync(path, '# pool\n' + line('mw1') + line('mw2'));
    const { src, updates, alerts, within1s } = watchSource(t, path, watch);
    await within1s('the first list', (s) => hosts(s) === 'mw1:10:on mw2:10:on');

    appendFileSync(path, line('mw3', 20));
    await within1s('an added server', (s) => hosts(s) === 'mw1:10:on mw2:10:on mw3:20:on');

    writeFileSync(path, line('mw1') + line('mw3', 20));
    await within1s('a removed server', (s) => hosts(s) === 'mw1:10:on mw3:20:on');

    writeFileSync(path, line('mw1', 10, false) + line('mw3', 20));
    await within1s('a disabled server', (s) => hosts(s) === 'mw1:10:off mw3:20:on');

    writeFileSync(path, line('mw1', 10, false) + line('mw3', 5));
    await within1s('a weight change', (s) => hosts(s) === 'mw1:10:off mw3:5:on');

    writeFileSync(path, line('mw1', 10, false) + "{ 'host': 'mw3', 'weight': '5', 'enabled': True }\n" + line('mw4'));
    await within1s('the rest applied, mw3 keeping its last good entry', (s) => hosts(s) === 'mw1:10:off mw3:5:on mw4:10:on');
    t.match(alerts[alerts.length - 1], `${path}:2: mw3: weight must be an integer, got '5'; kept the previous entry of mw3`);

    // An editor replacing the file by rename is seen too.
    writeFileSync(join(dir, 'tmp'), line('mw9'));
    renameSync(join(dir, 'tmp'), path);
    await within1s('a file replaced by rename', (s) => hosts(s) === 'mw9:10:on');
    t.same(src.last(), [{ host: 'mw9', weight: 10, enabled: true }]);
    t.ok(updates.length >= 7);
  });
}

t.test('a missing or emptied file raises an alert and keeps the last good list', async (t) => {
  const dir = t.testdir();
  const path = join(dir, 'web.json');
  writeFileSync(path, JSON.stringify({ a: { enabled: true, weight: 10 }, b: { enabled: true, weight: 10 } }));
  const { src, updates, alerts, within1s } = watchSource(t, path);
  await within1s('the first list', (s) => s.length === 2);
  rmSync(path);
  await waitFor('an alert for the missing file', 1500, async () => alerts.some((a) => a.includes('cannot read pool: no such file; keeping the previous 2 servers')), 10);
  writeFileSync(path, '{ "a": { "enabled": true, "weight": 10 }, ');
  await waitFor('an alert for the broken JSON', 1500, async () => alerts.some((a) => a.includes('invalid JSON')), 10);
  writeFileSync(path, '{}');
  await waitFor('an alert for the empty list', 1500, async () => alerts.some((a) => a.includes('no servers in the new list; keeping the previous 2')), 10);
  t.equal(updates.length, 1, 'no update while the file was bad');
  t.equal(src.last()?.length, 2);
  writeFileSync(path, JSON.stringify({ c: { enabled: false, weight: 3, port: 8080 } }));
  await within1s('the repaired file', (s) => s.length === 1 && s[0]!.port === 8080);
});

t.test('a missing file at start: alert, no list, then the list once it appears', async (t) => {
  const dir = t.testdir();
  const path = join(dir, 'late-servers');
  const { src, alerts, within1s } = watchSource(t, path);
  await waitFor('an alert', 1000, async () => alerts.length > 0, 10);
  t.match(alerts[0], 'cannot read pool: no such file');
  t.equal(src.last(), null);
  writeFileSync(path, line('mw1'));
  await within1s('the list', (s) => s.length === 1);
});

t.test('a file restored as it was: recovered, with no new list', async (t) => {
  const dir = t.testdir();
  const path = join(dir, 'web-servers');
  writeFileSync(path, line('mw1') + line('mw2'));
  const { updates, alerts, within1s, recoveries } = watchSource(t, path);
  await within1s('the first list', (s) => s.length === 2);
  t.equal(recoveries(), 0);
  rmSync(path);
  await waitFor('an alert for the missing file', 1500, async () => alerts.length === 1, 10);
  t.equal(recoveries(), 0, 'no recovery while the file is missing');
  writeFileSync(path, line('mw1') + line('mw2'));
  await waitFor('the recovery', 1500, async () => recoveries() === 1, 10);
  writeFileSync(path, line('mw1') + "{ 'host': 'mw2', 'weight': 'x', 'enabled': True }\n" + line('mw3'));
  await within1s('the new line applied, mw2 kept as it was', (s) => hosts(s) === 'mw1:10:on mw2:10:on mw3:10:on');
  t.equal(recoveries(), 1, 'a list with a malformed line is no recovery');
  writeFileSync(path, line('mw1') + line('mw2'));
  await waitFor('the second recovery', 1500, async () => recoveries() === 2, 10);
  t.equal(updates.length, 3, 'the first list, the one with mw3, the first one again');
});

t.test('a file rewritten in place in pieces is applied whole, never a partial read', async (t) => {
  const dir = t.testdir();
  const path = join(dir, 'web-servers');
  writeFileSync(path, line('a') + line('b') + line('c') + line('d'));
  const { updates, alerts, within1s } = watchSource(t, path);
  await within1s('the first list', (s) => s.length === 4);
  for (let round = 0; round < 2; round++) {
    const names = round === 0 ? ['e', 'f', 'g', 'h'] : ['i', 'j', 'k', 'l'];
    const fd = openSync(path, 'r+');
    ftruncateSync(fd, 0);
    for (const n of names) {
      writeSync(fd, line(n));
      await sleep(40);
    }
    closeSync(fd);
    await within1s(`the rewritten file (round ${round + 1})`, (s) => hosts(s) === names.map((n) => `${n}:10:on`).join(' '));
  }
  t.same(updates.map((u) => u.length), [4, 4, 4], 'no intermediate list delivered');
  t.same(alerts, [], 'no alert either (an empty or partial read would have been one)');
});

t.test('an over-size file and a 100,000-line file are refused whole, cheaply; the last list stays', async (t) => {
  const dir = t.testdir();
  const path = join(dir, 'web-servers');
  writeFileSync(path, line('a') + line('b'));
  const { src, updates, alerts, within1s } = watchSource(t, path);
  await within1s('the first list', (s) => s.length === 2);
  writeFileSync(path, Array.from({ length: 100_000 }, (_, i) => line(`mw${i}`)).join(''));
  const started = Date.now();
  await waitFor('the refusal', 3000, async () => alerts.length === 1, 10);
  t.equal(alerts[0], `${path}: pool text has 100000 server lines, more than pool-max-servers 10000; refused whole, keeping the previous 2 servers`);
  t.ok(Date.now() - started < 3000, 'refused within a bounded wait');
  writeFileSync(path, `# ${'x'.repeat(17 * 1024 * 1024)}\n${line('a')}`);
  await waitFor('the size refusal', 3000, async () => alerts.length === 2, 10);
  t.equal(alerts[1], `${path}: pool text is 17 MiB, more than the limit of 16 MiB; refused whole, keeping the previous 2 servers`);
  t.same(src.last()!.map((s) => s.host), ['a', 'b']);
  t.equal(updates.length, 1);
  writeFileSync(path, line('a') + line('c'));
  await within1s('a good file again', (s) => hosts(s) === 'a:10:on c:10:on');
});

t.test('pool-max-servers applies to JSON files after parsing', async (t) => {
  const dir = t.testdir();
  const path = join(dir, 'web.json');
  writeFileSync(path, '{"a": {"enabled": true, "weight": 1}}');
  const updates: PoolServer[][] = [];
  const alerts: string[] = [];
  const src = new FileSource(pathToFileURL(path).href, { clock: systemClock, maxServers: 2 });
  src.start((s) => updates.push(s), (a) => alerts.push(a));
  t.teardown(() => src.stop());
  await waitFor('the first list', 1000, async () => updates.length === 1, 10);
  writeFileSync(path, '{"a": {"enabled": true, "weight": 1}, "b": {"enabled": true, "weight": 1}, "c": {"enabled": true, "weight": 1}}');
  await waitFor('the refusal', 1500, async () => alerts.length === 1, 10);
  t.equal(alerts[0], `${pathToFileURL(path).href}: 3 servers, more than pool-max-servers 2; refused whole, keeping the previous 1 servers`);
  t.equal(updates.length, 1);
});

t.test('a file renamed into place is read at once; one rewritten in place waits until it is stable', async (t) => {
  const dir = t.testdir();
  const path = join(dir, 'web-servers');
  writeFileSync(path, line('a') + line('b'));
  utimesSync(path, new Date(Date.now() - 3_600_000), new Date(Date.now() - 3_600_000));
  const updates: PoolServer[][] = [];
  // A stability window far longer than the test: only the rename may be read.
  const src = new FileSource(pathToFileURL(path).href, { clock: systemClock, stableMs: 60_000 });
  src.start((s) => updates.push(s), () => {});
  t.teardown(() => src.stop());
  await waitFor('the first list (an old file is stable)', 1000, async () => updates.length === 1, 10);
  writeFileSync(join(dir, 'tmp'), line('a') + line('b') + line('c'));
  renameSync(join(dir, 'tmp'), path);
  await waitFor('the renamed file', 1000, async () => updates.length === 2, 10);
  t.equal(hosts(updates[1]!), 'a:10:on b:10:on c:10:on');
  writeFileSync(path, line('x'));
  await sleep(1200);
  t.equal(updates.length, 2, 'an in-place rewrite is not read before it has been stable for stableMs');
});
