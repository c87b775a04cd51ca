/**
 * The main thread's garbage collections by kind (perf_hooks 'gc' entries): how many and how long
 * they held the thread. A burst of full (major) collections is what a churn of objects that live
 * just long enough to leave the young generation looks like (issue 13: at 10,000 checks a second,
 * one literal V8 chose to allocate in the old generation made a full collection every second).
 */
import { constants, PerformanceObserver, type PerformanceEntry } from 'node:perf_hooks';
import type { GcKind, GcTotals } from './types.js';

const KINDS: readonly [number, GcKind][] = [
  [constants.NODE_PERFORMANCE_GC_MINOR, 'minor'],
  [constants.NODE_PERFORMANCE_GC_MAJOR, 'major'],
  [constants.NODE_PERFORMANCE_GC_INCREMENTAL, 'incremental'],
  [constants.NODE_PERFORMANCE_GC_WEAKCB, 'weakcb'],
];

export const emptyGcTotals = (): GcTotals => ({
  minor: { count: 0, seconds: 0 }, major: { count: 0, seconds: 0 }, incremental: { count: 0, seconds: 0 }, weakcb: { count: 0, seconds: 0 },
});

/** Adds one 'gc' entry (its kind from `detail.kind`) to `t`; other kinds are not counted. */
export function addGcEntry(t: GcTotals, kindCode: number, durationMs: number): void {
  for (const [code, kind] of KINDS) {
    if (code !== kindCode) continue;
    t[kind].count++;
    t[kind].seconds += durationMs / 1000;
    return;
  }
}

export class GcMonitor {
  private readonly totals = emptyGcTotals();
  private readonly observer = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) addGcEntry(this.totals, kindOf(e), e.duration);
  });

  constructor() { this.observer.observe({ entryTypes: ['gc'] }); }

  /** Cumulative since the monitor started (a copy). */
  read(): GcTotals {
    const t = this.totals;
    return { minor: { ...t.minor }, major: { ...t.major }, incremental: { ...t.incremental }, weakcb: { ...t.weakcb } };
  }

  stop(): void { this.observer.disconnect(); }
}

const kindOf = (e: PerformanceEntry): number => ((e as PerformanceEntry & { detail?: { kind?: number } }).detail?.kind ?? -1);
