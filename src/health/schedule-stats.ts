/**
 * The health schedule made visible (issue 13 §4): how late checks start against their grid, which
 * grid points were missed and why, and how long the first round took. Fixed-size counters owned by
 * one runner: an observation is a bounded bucket search and an increment, nothing allocated.
 * Definitions (docs/api.md, "Health schedule"):
 * - lag: a started check's start time minus its due time on the server's fixed-rate grid;
 * - late: a started check whose lag exceeds the late threshold (100 ms);
 * - missed: a grid point at which no check started, either because the previous check of the same
 *   server and monitor still ran (`overlap`), or because the timer fired after the next due time had
 *   passed, so the grid points in between were skipped (`timer-late`: vipd's own lag);
 * - first round: from the first check this runner started (or the first result a watching monitor,
 *   IdleConnection, pushed) to the first result of every server it held meanwhile (servers removed
 *   before their result do not count).
 */

/** Upper bounds (seconds) of the schedule-lag histogram; +Inf is implied. */
export const LAG_BUCKETS_S: readonly number[] = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** One runner's schedule counters, as plain data. */
export interface ScheduleStats {
  /** Servers × monitors scheduled now. */
  scheduled: number;
  checksStarted: number;
  late: number;
  missedOverlap: number;
  missedTimerLate: number;
  /** Cumulative counts per LAG_BUCKETS_S bound (Prometheus `le` buckets). */
  lagBuckets: number[];
  lagCount: number;
  lagSumSeconds: number;
  maxLagMs: number;
  /** null until the first round completed. */
  firstRoundMs: number | null;
}

/** One service's schedule (one runner per service), for the API; `learned`: `timeout = auto`'s expiries (learned-expiry.ts). */
export interface ServiceSchedule extends ScheduleStats { service: string; learned?: { held: number; ceiling: number; answered: number } }

const BOUNDS_MS = LAG_BUCKETS_S.map((s) => s * 1000);

export class ScheduleCounters {
  checksStarted = 0;
  late = 0;
  missedOverlap = 0;
  missedTimerLate = 0;
  maxLagMs = 0;
  private readonly counts = new Float64Array(BOUNDS_MS.length + 1);
  private lagSumMs = 0;
  private firstCheckAt: number | null = null;
  private firstRoundMs: number | null = null;
  /** Servers still owing their first result while the first round runs. */
  private owing = 0;

  constructor(private readonly lateThresholdMs: number) {}

  /** A check started `lagMs` after it was due. */
  started(lagMs: number, now: number): void {
    const lag = lagMs > 0 ? lagMs : 0;
    this.checksStarted++;
    if (lag > this.lateThresholdMs) this.late++;
    if (lag > this.maxLagMs) this.maxLagMs = lag;
    this.lagSumMs += lag;
    let i = 0;
    while (i < BOUNDS_MS.length && lag > BOUNDS_MS[i]!) i++;
    this.counts[i]!++;
    if (this.firstCheckAt === null) this.firstCheckAt = now;
  }

  /** A server joined: it owes a first result unless the first round is already over. */
  added(): void { if (this.firstRoundMs === null) this.owing++; }

  /** A server that still owed its first result gave it (`seen`), or left without it. */
  settled(now: number): void {
    if (this.firstRoundMs !== null || this.owing === 0) return;
    this.owing--;
    this.firstCheckAt ??= now;
    if (this.owing === 0 && this.firstCheckAt !== null) this.firstRoundMs = now - this.firstCheckAt;
  }

  stats(scheduled: number): ScheduleStats {
    const lagBuckets: number[] = [];
    let sum = 0;
    for (let i = 0; i < BOUNDS_MS.length; i++) { sum += this.counts[i]!; lagBuckets.push(sum); }
    return {
      scheduled, checksStarted: this.checksStarted, late: this.late, missedOverlap: this.missedOverlap,
      missedTimerLate: this.missedTimerLate, lagBuckets, lagCount: this.checksStarted, lagSumSeconds: this.lagSumMs / 1000,
      maxLagMs: this.maxLagMs, firstRoundMs: this.firstRoundMs,
    };
  }
}
