// One QEMU guest at a time on this machine: under TCG a guest is a core's worth of work, and two
// booted side by side (tap runs two test files at once) each ran slow enough to hit their time
// limits. The lock is a directory (mkdir is atomic) holding the owner's pid; a dead owner's lock
// is taken over.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

export const GUEST_LOCK = join(tmpdir(), 'vipd-ipvs-guest.lock');

function ownerAlive(lock: string): boolean {
  let pid: number;
  try {
    pid = Number(readFileSync(join(lock, 'pid'), 'utf8'));
  } catch {
    return false; // no pid yet: being created (the caller waits a few checks) or its owner died
  }
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Waits (at most `waitMs`) for the machine's guest lock; resolves to its release, or throws. */
export async function takeGuestLock(waitMs: number, lock = GUEST_LOCK): Promise<{ release: () => void; waitedMs: number }> {
  const start = Date.now();
  let staleChecks = 0;
  for (;;) {
    try {
      mkdirSync(lock);
      writeFileSync(join(lock, 'pid'), String(process.pid));
      return { release: () => rmSync(lock, { recursive: true, force: true }), waitedMs: Date.now() - start };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    // Dead (or pid-less) for several checks in a row: its owner is gone.
    staleChecks = ownerAlive(lock) ? 0 : staleChecks + 1;
    if (staleChecks >= 3) rmSync(lock, { recursive: true, force: true });
    if (Date.now() - start > waitMs) throw new Error(`another QEMU guest held ${lock} for more than ${waitMs} ms`);
    await sleep(500);
  }
}
