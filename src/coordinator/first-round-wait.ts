/**
 * bgp-first-round-wait (issue 12 §5): a VIP waits for its services' first health round at most
 * this long, then is decided on what is known (servers start up, as in PyBal, which announces at
 * once). One timer wakes the coordinator at the earliest deadline still pending.
 */
import type { Cancel, Clock } from '../time/clock.js';

export class FirstRoundWait {
  private timer: { at: number; cancel: Cancel } | null = null;

  constructor(private readonly clock: Clock, private readonly wake: () => void) {}

  /** Whether a service added at `addedAt` whose first round is not `done` has waited `waitMs` (undefined: no bound). */
  over(addedAt: number, waitMs: number | undefined, done: boolean): boolean {
    if (waitMs === undefined || done) return false;
    const at = addedAt + waitMs;
    const left = at - this.clock.now();
    if (left <= 0) return true;
    if (!this.timer || at < this.timer.at) {
      this.timer?.cancel();
      this.timer = { at, cancel: this.clock.setTimer(left, () => { this.timer = null; this.wake(); }) };
    }
    return false;
  }

  stop(): void {
    this.timer?.cancel();
    this.timer = null;
  }
}
