/**
 * The main thread's event-loop lag (perf_hooks.monitorEventLoopDelay): how late a 10 ms timer
 * fires. Quantiles cover the last window of at least `windowMs` (rotated when read), sum and
 * count the whole lifetime, as a Prometheus summary does.
 */
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import type { LoopLag } from './types.js';

const RESOLUTION_MS = 10;
const NS = 1e9;

export class LoopLagMonitor {
  private readonly h: IntervalHistogram = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
  private windowStart: number;
  private previous: Omit<LoopLag, 'sum' | 'count'> | null = null;
  private sumNs = 0;
  private count = 0;

  constructor(private readonly windowMs = 10_000, private readonly now: () => number = () => performance.now()) {
    this.h.enable();
    this.windowStart = now();
  }

  /** The histogram records the whole timer period; the lag is what exceeds the resolution. */
  private lag(ns: number): number {
    return Number.isFinite(ns) ? Math.max(0, ns / NS - RESOLUTION_MS / 1000) : 0;
  }

  read(): LoopLag {
    const h = this.h;
    const current = h.count > 0
      ? { p50: this.lag(h.percentile(50)), p99: this.lag(h.percentile(99)), max: this.lag(h.max) } : null;
    const lagSum = h.count > 0 ? Math.max(0, h.mean * h.count - h.count * RESOLUTION_MS * 1e6) : 0;
    const complete = current !== null && this.now() - this.windowStart >= this.windowMs;
    const out: LoopLag = {
      ...((complete ? current : this.previous ?? current) ?? { p50: 0, p99: 0, max: 0 }),
      sum: (this.sumNs + lagSum) / NS, count: this.count + h.count,
    };
    if (complete) {
      this.previous = current;
      this.sumNs += lagSum;
      this.count += h.count;
      h.reset();
      this.windowStart = this.now();
    }
    return out;
  }

  stop(): void { this.h.disable(); }
}
