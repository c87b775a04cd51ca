/**
 * One vipd per host owns IPVS (issue 12 §5): a lock file under the state directory, taken before
 * the IPVS table is read or written. Created with O_EXCL; it holds the owner's pid and its start
 * time (/proc/<pid>/stat, field 22), so a lock left by a crash — that pid gone, or reused by
 * another process — is stale and taken over, while a live owner makes the second instance stop.
 */
import { closeSync, mkdirSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';

export const DEFAULT_STATE_DIR = '/var/lib/vipd';
export const LOCK_FILE = 'vipd.lock';

export class StateLockError extends Error {}

export interface StateLock {
  readonly path: string;
  /** Removes the lock file if it is still ours. */
  release(): void;
}

/** A process's start time in clock ticks since boot, or null when it does not exist (or no /proc). */
export function processStart(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces and parentheses): state is field 3, start time 22.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? null;
  } catch {
    return null;
  }
}

interface Owner { pid: number; start: string | null }

function readOwner(path: string): Owner | null {
  try {
    const [pid, start] = readFileSync(path, 'utf8').trim().split(/\s+/);
    const n = Number(pid);
    return Number.isInteger(n) && n > 0 ? { pid: n, start: start ?? null } : null;
  } catch {
    return null;
  }
}

/** The owner still runs: its pid exists and started when the lock says (a reused pid does not match). */
function alive(o: Owner): boolean {
  const now = processStart(o.pid);
  if (now !== null) return o.start === null || o.start === now;
  try { process.kill(o.pid, 0); return true; } catch (e) { return (e as NodeJS.ErrnoException).code === 'EPERM'; }
}

/** Takes the lock in `dir` (created if missing) or throws StateLockError naming the owner. */
export function lockState(dir: string): StateLock {
  try {
    mkdirSync(dir, { recursive: true, mode: 0o755 });
  } catch (e) {
    throw new StateLockError(`cannot create the state directory ${dir}: ${(e as Error).message}`);
  }
  const path = join(dir, LOCK_FILE);
  const me = `${process.pid} ${processStart(process.pid) ?? ''}`.trim();
  // Two tries: the second after removing a stale lock.
  for (let attempt = 0; attempt < 2; attempt++) {
    let fd: number;
    try {
      fd = openSync(path, 'wx', 0o644);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code !== 'EEXIST') throw new StateLockError(`cannot create the lock ${path}: ${(e as Error).message}`);
      const owner = readOwner(path);
      if (owner && alive(owner)) {
        throw new StateLockError(`another vipd (pid ${owner.pid}) holds ${path}: it owns IPVS on this host; `
          + 'stop it first (or give this one another --state-dir if it really is a separate host)');
      }
      try { unlinkSync(path); } catch { /* raced with another taker: the next open decides */ }
      continue;
    }
    writeSync(fd, `${me}\n`);
    closeSync(fd);
    return {
      path,
      release: () => {
        try { if (readFileSync(path, 'utf8').trim() === me) unlinkSync(path); } catch { /* already gone */ }
      },
    };
  }
  throw new StateLockError(`cannot take the lock ${path}: another vipd is starting at the same time`);
}
