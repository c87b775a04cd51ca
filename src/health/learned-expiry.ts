/**
 * A learned deadline's expiry is judged before it counts (issue 16 §5). A learned deadline is tight
 * (tens of ms), so a stall of vipd itself (GC, a busy loop) or of the path to the servers (a machine
 * or a switch busy for 100 ms) would fail every check in flight at once: the one-hour soak with
 * `timeout = auto` saw 434 false transitions, all learned expiries of 25–136 ms, in bursts across
 * 32–154 servers at a time. One hung server expires alone; a common cause expires many together.
 *
 * The rule, per check whose learned deadline (below the ceiling) passed with no answer:
 * 1. hold HOLD_MS more (the check keeps running; an answer in the hold counts as it is);
 * 2. then, if at least BURST_MIN learned deadlines expired within BURST_WINDOW_MS, or either timer
 *    fired more than STALL_MS late (vipd's own loop was stalled), the cause is common: the check
 *    waits up to the ceiling (`timeout-max`), as a fixed timeout would;
 * 3. otherwise it fails: a hung server is down after its learned deadline + HOLD_MS.
 * A rack that hangs as one is therefore found at the ceiling, not at the learned deadline.
 */

export const HOLD_MS = 50;
export const BURST_WINDOW_MS = 200;
export const BURST_MIN = 3;
export const STALL_MS = 20;

/** The result of a check that failed after its hold: how long it ran, and the learned deadline. */
export const learnedTimeoutResult = (ms: number, deadlineMs: number): { up: false; reason: string; ms: number } =>
  ({ up: false, reason: `timeout after ${Math.round(ms)} ms (learned deadline ${deadlineMs} ms)`, ms });

/** What to do with a check whose learned deadline passed: wait HOLD_MS, wait to the ceiling, or fail. */
export type ExpiryVerdict = 'hold' | 'ceiling' | 'fail';

/** The recent learned expiries of one runner: the last BURST_MIN times, nothing per server. */
export class LearnedExpiries {
  private readonly times = new Float64Array(BURST_MIN).fill(-Infinity);
  private next = 0;

  /** A learned deadline passed at `now` (each check's first expiry, once). */
  note(now: number): void {
    this.times[this.next] = now;
    this.next = (this.next + 1) % BURST_MIN;
  }

  /** BURST_MIN learned expiries within the window ending at `now` (the judged one included). */
  burst(now: number): boolean {
    // The oldest of the last BURST_MIN is the slot written next.
    return now - this.times[this.next]! <= BURST_WINDOW_MS;
  }
}

/**
 * The pure rule: `held` says whether the check already had its hold; `lateMs` is how late the
 * timers fired (the larger of the two); `burst` from LearnedExpiries.
 */
export function judgeLearnedExpiry(held: boolean, lateMs: number, burst: boolean): ExpiryVerdict {
  if (!held) return 'hold';
  return burst || lateMs > STALL_MS ? 'ceiling' : 'fail';
}
