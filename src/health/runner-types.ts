/** The health runner's public shapes: its options, what it reports, its counters. */
import type { Clock } from '../time/clock.js';
import type { Logger } from '../log/logger.js';
import type { CheckResult, Target } from './monitor.js';
import type { LearnedTimeout } from './adaptive-timeout.js';

/** A monitor's state change for one server; the runner reports nothing else. */
export interface Transition {
  target: Target;
  monitor: string;
  up: boolean;
  /** null on the first result. */
  previous: boolean | null;
  /** The reason of the result that completed the transition. */
  reason: string;
  /** Duration of that check. */
  ms: number;
  /** How long the previous state lasted (null on the first result). */
  previousStateMs: number | null;
  /** Wall-clock time of the transition (epoch ms). */
  at: number;
}

export interface RunnerStats {
  checksStarted: number;
  /** Checks that started more than `lateThresholdMs` after they were due. */
  lateChecks: number;
  maxLateMs: number;
  /** Ticks skipped because the previous check of that server was still running. */
  skippedOverlaps: number;
  /** Results a monitor pushed through `watch` between ticks. */
  pushedResults: number;
  /** Check timeouts whose timer fired (the verdict then waits for I/O already received). */
  timeoutsFired: number;
  /** Of those, timers that fired more than `lateThresholdMs` late: vipd's own lag, not the server's. */
  lateTimeouts: number;
  maxTimeoutLateMs: number;
  /** Checks whose result arrived after their timer fired but before the deferred verdict: saved from a false timeout. */
  timeoutsRescued: number;
  /** `timeout = auto` (learned-expiry.ts): learned deadlines that passed and were held; of those, checks given up to the ceiling (a burst or vipd's stall); answers that came in after the learned deadline and counted. */
  learnedHeld: number;
  learnedToCeiling: number;
  learnedRescued: number;
}

/** How late one server's checks start (the event loop's lag as that check saw it), for metrics. */
export interface CheckLateness {
  target: Target;
  monitor: string;
  /** How late the last check started after its due time. */
  lastMs: number;
  maxMs: number;
  /** How late the last check's timeout timer fired (0 when it did not fire). */
  lastTimeoutLateMs: number;
}

export interface RunnerOptions {
  clock: Clock;
  onTransition: (t: Transition) => void;
  /**
   * Every result, for metrics; transitions still come only through onTransition. `learned`: under
   * `timeout = auto`, the deadline of the next check and the window's p99 (null: a fixed timeout).
   */
  onResult?: (target: Target, monitor: string, result: CheckResult, learned: LearnedTimeout | null) => void;
  /** [0, 1): the phase of a new server's first check within its interval. */
  random?: () => number;
  logger?: Logger;
  lateThresholdMs?: number;
  /** See TimeoutHooks.defer (check-timeout.ts); tests of pure scheduling inject their own. */
  defer?: (fn: () => void) => void;
}
