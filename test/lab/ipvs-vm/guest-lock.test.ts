import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { takeGuestLock } from './guest-lock.js';

const dir = mkdtempSync(join(tmpdir(), 'vipd-guest-lock-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));

t.test('a second taker waits until the first releases', async (t) => {
  const lock = join(dir, 'a');
  const first = await takeGuestLock(1000, lock);
  t.ok(first.waitedMs < 1000, 'the first taker gets it at once');
  setTimeout(() => first.release(), 1200);
  const second = await takeGuestLock(10_000, lock);
  t.ok(second.waitedMs >= 1000, `the second waited for the release (${second.waitedMs} ms)`);
  second.release();
  await t.rejects(async () => {
    const held = await takeGuestLock(1000, lock);
    try { await takeGuestLock(800, lock); } finally { held.release(); }
  }, /more than 800 ms/, 'a wait past its bound is an error naming the bound');
});

t.test("a dead owner's lock is taken over", async (t) => {
  const lock = join(dir, 'b');
  mkdirSync(lock);
  writeFileSync(join(lock, 'pid'), '999999999'); // above pid_max: no such process
  const got = await takeGuestLock(10_000, lock);
  t.ok(got.waitedMs < 5000, `taken over after ${got.waitedMs} ms`);
  got.release();
});
