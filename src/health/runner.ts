import type { Cancel, Clock } from '../time/clock.js';
import type { Logger } from '../log/logger.js';
import { silentLogger } from '../log/logger.js';
import { applyResult, initialHysteresis, type Hysteresis } from './hysteresis.js';
import { targetKey, type CheckResult, type Monitor, type Target } from './monitor.js';
import { checkWithTimeout, redacted } from './check-timeout.js';
import { ScheduleCounters, type ScheduleStats } from './schedule-stats.js';
import { AdaptiveTimeouts } from './adaptive-timeout.js';

export { checkWithTimeout, type TimeoutHooks } from './check-timeout.js';

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
  /** Every result, for metrics; transitions still come only through onTransition. */
  onResult?: (target: Target, monitor: string, result: CheckResult) => void;
  /** [0, 1): the phase of a new server's first check within its interval. */
  random?: () => number;
  logger?: Logger;
  lateThresholdMs?: number;
  /** See TimeoutHooks.defer (check-timeout.ts); tests of pure scheduling inject their own. */
  defer?: (fn: () => void) => void;
}

interface Entry {
  target: Target;
  monitor: Monitor;
  dueAt: number;
  running: boolean;
  cancelTimer: Cancel | null;
  hysteresis: Hysteresis;
  stateSince: number;
  stopped: boolean;
  unwatch: (() => void) | null;
  /** A pushed result arrived while a check ran: that check's result is stale and dropped. */
  superseded: boolean;
  lastLateMs: number;
  maxLateMs: number;
  lastTimeoutLateMs: number;
  /** Has given its first result (the first round waits for every server's). */
  seen: boolean;
  /** Its slot in `learned` with `timeout = auto`, else -1. */
  auto: number;
}

/**
 * Owns the schedule: a random phase spreads first checks over the interval, then each server is
 * checked every interval (fixed rate, no drift); a tick that finds the previous check still
 * running is skipped; each check is aborted at the monitor's timeout; rise/fall decide transitions.
 * A monitor with `watch` also pushes its state changes between ticks; each counts as one result.
 */
export class HealthRunner {
  private readonly entries = new Map<string, Entry>();
  private readonly clock: Clock;
  private readonly random: () => number;
  private readonly log: Logger;
  private readonly lateThreshold: number;
  private readonly counters = { pushedResults: 0, timeoutsFired: 0, lateTimeouts: 0, maxTimeoutLateMs: 0, timeoutsRescued: 0 };
  private readonly schedule: ScheduleCounters;
  private readonly defer: (fn: () => void) => void;
  private readonly learned = new AdaptiveTimeouts();

  constructor(private readonly opts: RunnerOptions) {
    this.clock = opts.clock;
    this.random = opts.random ?? Math.random;
    this.log = opts.logger ?? silentLogger;
    this.lateThreshold = opts.lateThresholdMs ?? 100;
    this.schedule = new ScheduleCounters(this.lateThreshold);
    this.defer = opts.defer ?? setImmediate;
  }

  add(target: Target, monitor: Monitor): void {
    const key = entryKey(target, monitor);
    if (this.entries.has(key)) return;
    const phase = Math.min(0.999999, Math.max(0, this.random())) * monitor.schedule.intervalMs;
    const e: Entry = {
      target, monitor, dueAt: this.clock.now() + phase, running: false, cancelTimer: null,
      hysteresis: initialHysteresis, stateSince: this.clock.now(), stopped: false, unwatch: null, superseded: false,
      lastLateMs: 0, maxLateMs: 0, lastTimeoutLateMs: 0, seen: false, auto: monitor.schedule.auto ? this.learned.alloc() : -1,
    };
    this.entries.set(key, e);
    this.schedule.added();
    this.arm(e);
    e.unwatch = monitor.watch?.(target, (r) => this.pushed(e, r)) ?? null;
  }

  remove(target: Target, monitor: Monitor): void {
    const key = entryKey(target, monitor);
    const e = this.entries.get(key);
    if (!e) return;
    e.stopped = true;
    e.cancelTimer?.();
    e.unwatch?.();
    this.entries.delete(key);
    this.learned.release(e.auto);
    if (!e.seen) this.schedule.settled(this.clock.now());
    monitor.forget?.(target);
  }

  stop(): void {
    for (const e of [...this.entries.values()]) this.remove(e.target, e.monitor);
  }

  /** Current state of one server under one monitor: null before its first result. */
  state(target: Target, monitor: Monitor): boolean | null {
    return this.entries.get(entryKey(target, monitor))?.hysteresis.up ?? null;
  }

  get size(): number { return this.entries.size; }

  stats(): RunnerStats {
    const s = this.schedule;
    return {
      ...this.counters, checksStarted: s.checksStarted, lateChecks: s.late, maxLateMs: s.maxLagMs, skippedOverlaps: s.missedOverlap,
    };
  }

  /** Lag histogram, late and missed checks, first round (schedule-stats.ts defines each). */
  scheduleStats(): ScheduleStats { return this.schedule.stats(this.entries.size); }

  /** Per check: how late it started (last, max) and how late its last timeout fired. */
  lateness(): CheckLateness[] {
    return [...this.entries.values()].map((e) => ({
      target: e.target, monitor: e.monitor.kind, lastMs: e.lastLateMs, maxMs: e.maxLateMs, lastTimeoutLateMs: e.lastTimeoutLateMs,
    }));
  }

  private arm(e: Entry): void {
    const delay = Math.max(0, e.dueAt - this.clock.now());
    e.cancelTimer = this.clock.setTimer(delay, () => this.tick(e));
  }

  private tick(e: Entry): void {
    if (e.stopped) return;
    const now = this.clock.now();
    const interval = e.monitor.schedule.intervalMs;
    const due = e.dueAt;
    // Next due time stays on the original grid; missed grid points are skipped, not queued.
    const steps = Math.max(1, Math.ceil((now - due + 1) / interval));
    e.dueAt = due + interval * steps;
    this.arm(e);
    // The timer fired after later grid points had passed: those are missed (vipd's lag).
    this.schedule.missedTimerLate += steps - 1;
    if (e.running) {
      this.schedule.missedOverlap++;
      return;
    }
    const late = now - due;
    this.schedule.started(late, now);
    e.lastLateMs = late;
    if (late > e.maxLateMs) e.maxLateMs = late;
    void this.runCheck(e);
  }

  private async runCheck(e: Entry): Promise<void> {
    e.running = true;
    e.superseded = false;
    e.lastTimeoutLateMs = 0;
    const timeoutMs = this.learned.timeoutMs(e.auto, e.monitor.schedule);
    const result = await checkWithTimeout(e.monitor, e.target, this.clock, {
      defer: this.defer, timeoutMs,
      onTimeout: (lateMs, rescued) => {
        e.lastTimeoutLateMs = lateMs;
        this.counters.timeoutsFired++;
        if (lateMs > this.lateThreshold) this.counters.lateTimeouts++;
        if (lateMs > this.counters.maxTimeoutLateMs) this.counters.maxTimeoutLateMs = lateMs;
        if (rescued) {
          this.counters.timeoutsRescued++;
          this.log.debug('check result arrived after its timeout timer fired late; kept', {
            server: e.target.host, monitor: e.monitor.kind, lateMs: Math.round(lateMs),
          });
        }
      },
    });
    e.running = false;
    if (e.stopped || e.superseded) return;
    this.learned.observe(e.auto, result, timeoutMs);
    this.record(e, result);
  }

  /** A state change the monitor saw between ticks: one result through the same rise/fall path. */
  private pushed(e: Entry, result: CheckResult): void {
    if (e.stopped) return;
    this.counters.pushedResults++;
    if (e.running) e.superseded = true;
    this.record(e, result);
  }

  private record(e: Entry, raw: CheckResult): void {
    if (!e.seen) { e.seen = true; this.schedule.settled(this.clock.now()); }
    const result = redacted(raw);
    this.opts.onResult?.(e.target, e.monitor.kind, result);
    const { next, changed } = applyResult(e.hysteresis, result.up, e.monitor.schedule);
    const previous = e.hysteresis.up;
    e.hysteresis = next;
    if (!changed) return;
    const now = this.clock.now();
    const t: Transition = {
      target: e.target, monitor: e.monitor.kind, up: result.up, previous, reason: result.reason, ms: result.ms,
      previousStateMs: previous === null ? null : now - e.stateSince, at: this.clock.wallNow(),
    };
    e.stateSince = now;
    this.log.info(result.up ? 'server up' : 'server down', {
      server: e.target.host, ip: e.target.ip, port: e.target.port, monitor: e.monitor.kind, reason: result.reason,
    });
    this.opts.onTransition(t);
  }
}

const monitorIds = new WeakMap<Monitor, number>();
let nextMonitorId = 0;
function entryKey(t: Target, m: Monitor): string {
  let id = monitorIds.get(m);
  if (id === undefined) { id = nextMonitorId++; monitorIds.set(m, id); }
  return `${id}#${targetKey(t)}`;
}
