// The CPU time of one thread (Linux /proc), so the fuzz supervisor judges a hang by the time the
// worker actually ran, not by the wall clock: at the lowest priority on a loaded machine a worker
// can get no CPU at all for tens of seconds, and a wall-clock budget took those stalls for hangs
// (session 7: an empty config input "hung" for 10 s, and so did every shrink candidate).
import { readFileSync, readlinkSync } from 'node:fs';

/** Clock ticks per second of /proc's utime and stime (USER_HZ: 100 on every Linux port). */
const TICKS_PER_SECOND = 100;

/** The kernel's id of the calling thread, or -1 where /proc/thread-self is not there. */
export function currentThreadId(): number {
  try {
    const tid = Number(/(\d+)$/.exec(readlinkSync('/proc/thread-self'))?.[1]);
    return Number.isSafeInteger(tid) && tid > 0 ? tid : -1;
  } catch {
    return -1;
  }
}

/** CPU time (user + system) the thread `tid` of this process has used, ms; null when unknown. */
export function threadCpuMs(tid: number): number | null {
  if (tid <= 0) return null;
  try {
    const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
    // Fields after the command (which may hold spaces) start at state, field 3; utime is 14, stime 15.
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(f[11]) + Number(f[12]);
    return Number.isFinite(ticks) ? (ticks * 1000) / TICKS_PER_SECOND : null;
  } catch {
    return null;
  }
}

/**
 * A budget for one piece of work in a worker thread: over when the thread has used more than
 * `cpuMs` of CPU since `start()`, or (a backstop) when `wallMs` of wall time have passed. Until
 * the worker has said which thread it is (`watch`), only the backstop applies; where its CPU time
 * cannot be read (tid -1: no /proc), `cpuMs` of wall time is the budget, as before.
 */
export class CpuBudget {
  private tid = 0;
  private cpu0: number | null = null;
  private wall0 = Date.now();
  constructor(private readonly cpuMs: number, private readonly wallMs: number) {}

  /** The worker's thread (from its progress slot): 0 not known yet, -1 unknowable. */
  watch(tid: number): void {
    if (tid === this.tid) return;
    this.tid = tid;
    this.cpu0 = threadCpuMs(tid);
  }

  start(now = Date.now()): void {
    this.cpu0 = threadCpuMs(this.tid);
    this.wall0 = now;
  }

  over(now = Date.now()): boolean {
    const wall = now - this.wall0;
    if (this.tid === 0) return wall > this.wallMs;
    const cpu = threadCpuMs(this.tid);
    if (cpu === null || this.cpu0 === null) return wall > this.cpuMs;
    return cpu - this.cpu0 > this.cpuMs || wall > this.wallMs;
  }
}

/** The wall-clock backstop for a CPU budget: long enough that only a thread stuck off the CPU hits it. */
export const wallBackstopMs = (cpuMs: number): number => Math.max(120_000, 20 * cpuMs);
