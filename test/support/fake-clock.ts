import type { Cancel, Clock, Millis } from '../../src/time/clock.js';

interface Pending { at: number; seq: number; fn: () => void }

/** A clock that moves only when told to; timers fire in time order during advance(). */
export class FakeClock implements Clock {
  private t = 0;
  private seq = 0;
  private pending: Pending[] = [];
  constructor(private readonly epoch = 1_700_000_000_000) {}

  now(): Millis { return this.t as Millis; }
  wallNow(): number { return this.epoch + this.t; }

  setTimer(delay: number, fn: () => void): Cancel {
    const p: Pending = { at: this.t + Math.max(0, delay), seq: this.seq++, fn };
    this.pending.push(p);
    return () => { this.pending = this.pending.filter((x) => x !== p); };
  }

  /** Move time forward, firing every timer due on the way (bounded to avoid runaway loops). */
  advance(ms: number): void {
    const target = this.t + ms;
    for (let guard = 0; guard < 1_000_000; guard++) {
      const next = this.pending
        .filter((p) => p.at <= target)
        .sort((a, b) => a.at - b.at || a.seq - b.seq)[0];
      if (!next) break;
      this.pending = this.pending.filter((p) => p !== next);
      this.t = next.at;
      next.fn();
    }
    this.t = target;
  }

  /** A blocked event loop: time moves `ms` first, then every timer due by then fires, late. */
  block(ms: number): void {
    const due = this.pending.filter((p) => p.at <= this.t + ms);
    this.t += ms;
    for (const p of due) p.at = Math.max(p.at, this.t);
    this.advance(0);
  }

  get pendingCount(): number { return this.pending.length; }
}
