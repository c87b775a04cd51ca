import type { Cancel, Clock } from '../time/clock.js';
import type { Logger } from '../log/logger.js';
import { silentLogger } from '../log/logger.js';
import { applyResult } from './hysteresis.js';
import { flatString, targetKey, type CheckResult, type Monitor, type Target } from './monitor.js';
import { failedResult, timeoutResult, verdictOf } from './check-timeout.js';
import { CheckAbort } from './check-signal.js';
import { ScheduleCounters, type ScheduleStats } from './schedule-stats.js';
import { TimeHeap } from './time-heap.js';
import { AdaptiveTimeouts } from './adaptive-timeout.js';
import { HOLD_MS, judgeLearnedExpiry, LearnedExpiries, learnedTimeoutResult } from './learned-expiry.js';
import { Entry } from './runner-entry.js';
import type { CheckLateness, RunnerOptions, RunnerStats } from './runner-types.js';

export { checkWithTimeout, type TimeoutHooks } from './check-timeout.js';
export type { CheckLateness, RunnerOptions, RunnerStats, Transition } from './runner-types.js';

/** The longest the wheel starts checks in one go before it lets I/O (check results) in. */
const SLICE_MS = 5;

/**
 * Owns the schedule: a random phase spreads first checks over the interval, then each server is
 * checked every interval (fixed rate, no drift); a tick that finds the previous check still
 * running is skipped; each check is aborted at the monitor's timeout; rise/fall decide transitions.
 * A monitor with `watch` also pushes its state changes between ticks; each counts as one result.
 *
 * One wheel for every server (issue 13 §3): the due times and the running checks' deadlines sit in
 * two TimeHeaps and a single clock timer wakes the runner at the earliest of them, so nothing per
 * server is allocated between checks, and at 10,000 servers Node holds one timer, not 20,000.
 */
export class HealthRunner {
  private readonly entries = new Map<string, Entry>();
  private readonly slots: (Entry | undefined)[] = [];
  private readonly freeIds: number[] = [];
  private readonly due = new TimeHeap();
  private readonly deadlines = new TimeHeap();
  private timer: Cancel | null = null;
  private timerAt = Infinity;
  private readonly clock: Clock;
  private readonly random: () => number;
  private readonly log: Logger;
  private readonly lateThreshold: number;
  private readonly counters = { pushedResults: 0, timeoutsFired: 0, lateTimeouts: 0, maxTimeoutLateMs: 0, timeoutsRescued: 0, learnedHeld: 0, learnedToCeiling: 0, learnedRescued: 0 };
  private readonly schedule: ScheduleCounters;
  private readonly defer: (fn: () => void) => void;
  private readonly wake = (): void => this.fire();
  private readonly learned = new AdaptiveTimeouts();
  private readonly expiries = new LearnedExpiries();

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
    const now = this.clock.now();
    const phase = Math.min(0.999999, Math.max(0, this.random())) * monitor.schedule.intervalMs;
    const id = this.freeIds.pop() ?? this.slots.length;
    const e = new Entry(id, key, target, monitor, now + phase, now);
    if (monitor.schedule.auto) e.auto = this.learned.alloc();
    this.entries.set(key, e);
    this.slots[id] = e;
    this.schedule.added();
    this.due.set(id, e.dueAt);
    this.rearm();
    e.unwatch = monitor.watch?.(target, (r) => this.pushed(e, r)) ?? null;
  }

  remove(target: Target, monitor: Monitor): void {
    const e = this.entries.get(entryKey(target, monitor));
    if (!e) return;
    e.stopped = true;
    this.due.remove(e.id);
    this.deadlines.remove(e.id);
    // A check still running is of a server that left: it ends now (its result would be dropped).
    if (!e.settled) { e.settled = true; e.abort?.abort(); }
    e.abort = null;
    e.unwatch?.();
    this.entries.delete(e.key);
    this.slots[e.id] = undefined;
    this.freeIds.push(e.id);
    this.learned.release(e.auto);
    if (this.due.size === 0 && this.deadlines.size === 0) this.cancelTimer();
    if (!e.seen) this.schedule.settled(this.clock.now());
    monitor.forget?.(target);
  }

  stop(): void {
    for (const e of [...this.entries.values()]) this.remove(e.target, e.monitor);
  }

  /** Current state of one server under one monitor: null before its first result. */
  state(target: Target, monitor: Monitor): boolean | null {
    return this.entries.get(entryKey(target, monitor))?.up ?? null;
  }

  get size(): number { return this.entries.size; }

  stats(): RunnerStats {
    const s = this.schedule;
    return { ...this.counters, checksStarted: s.checksStarted, lateChecks: s.late, maxLateMs: s.maxLagMs, skippedOverlaps: s.missedOverlap };
  }

  /** Lag histogram, late and missed checks, first round (schedule-stats.ts defines each). */
  scheduleStats(): ScheduleStats { return this.schedule.stats(this.entries.size); }

  /** Per check: how late it started (last, max) and how late its last timeout fired. */
  lateness(): CheckLateness[] {
    return [...this.entries.values()].map((e) => ({
      target: e.target, monitor: e.monitor.kind, lastMs: e.lastLateMs, maxMs: e.maxLateMs, lastTimeoutLateMs: e.lastTimeoutLateMs,
    }));
  }

  /** The one clock timer, at the earliest due time or deadline. */
  private rearm(): void {
    const next = Math.min(this.due.peekKey(), this.deadlines.peekKey());
    if (next === this.timerAt && this.timer) return;
    this.cancelTimer();
    if (next === Infinity) return;
    this.timerAt = next;
    this.timer = this.clock.setTimer(Math.max(0, next - this.clock.now()), this.wake);
  }

  private cancelTimer(): void {
    this.timer?.();
    this.timer = null;
    this.timerAt = Infinity;
  }

  /** Everything due by now, in time order (a tick before a deadline at the same time). */
  private fire(): void {
    this.timer = null;
    this.timerAt = Infinity;
    const now = this.clock.now();
    for (let n = 1; ; n++) {
      const tickAt = this.due.peekKey();
      const deadline = this.deadlines.peekKey();
      if (tickAt > now && deadline > now) break;
      if (tickAt <= deadline) this.tick(this.slots[this.due.peek()]!, now);
      else this.expire(this.slots[this.deadlines.pop()]!, deadline, now);
      if ((n & 63) === 0 && this.clock.now() - now >= SLICE_MS) {
        // Yield to I/O; the rest starts on the next turn of the loop, counted as late if it is.
        this.timerAt = now;
        this.timer = this.clock.setTimer(0, this.wake);
        return;
      }
    }
    this.rearm();
  }

  private tick(e: Entry, now: number): void {
    const interval = e.monitor.schedule.intervalMs;
    const due = e.dueAt;
    // Next due time stays on the original grid; missed grid points are skipped, not queued.
    const steps = Math.max(1, Math.ceil((now - due + 1) / interval));
    e.dueAt = due + interval * steps;
    this.due.set(e.id, e.dueAt);
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
    this.start(e, now);
  }

  /** One check, bounded by the monitor's timeout through the deadline heap (check-timeout.ts's rule). */
  private start(e: Entry, now: number): void {
    e.running = true;
    e.superseded = false;
    e.lastTimeoutLateMs = 0;
    e.held = false;
    e.toCeiling = false;
    e.settled = false;
    e.startedAt = now;
    const gen = ++e.gen;
    const ac = new CheckAbort();
    e.abort = ac;
    e.timeoutMs = this.learned.timeoutMs(e.auto, e.monitor.schedule);
    this.deadlines.set(e.id, now + e.timeoutMs);
    const done = (r: CheckResult): void => { if (e.gen === gen) this.settle(e, verdictOf(r)); };
    try {
      // a monitor that can calls back without a promise (~500 B and two microtasks less a check); it may settle before it returns
      if (!e.monitor.checkThen?.(e.target, ac, done)) {
        e.monitor.check(e.target, ac).then(done, (x: unknown) => done(failedResult(x, this.clock.now() - e.startedAt)));
      }
    } catch (x) {
      this.settle(e, verdictOf(failedResult(x, this.clock.now() - now)));
    }
  }

  /**
   * The deadline passed. The verdict waits for `defer` (setImmediate): a response the kernel
   * already holds, because vipd's own loop was blocked past the deadline, is read first and counts.
   */
  private expire(e: Entry, deadline: number, now: number): void {
    if (e.settled) return;
    const gen = e.gen;
    const lateMs = Math.max(0, now - deadline);
    this.defer(() => {
      const rescued = e.gen !== gen || e.settled;
      this.timedOut(e, lateMs, rescued);
      if (rescued || this.judgeLearned(e, lateMs)) return;
      this.settle(e, e.held ? learnedTimeoutResult(this.clock.now() - e.startedAt, e.timeoutMs) : timeoutResult(e.timeoutMs), true);
    });
  }

  /** A learned deadline passed (learned-expiry.ts): true when the check gets more time (a new deadline). */
  private judgeLearned(e: Entry, lateMs: number): boolean {
    const auto = e.monitor.schedule.auto;
    const now = this.clock.now();
    const ceilingAt = e.startedAt + (auto?.ceilingMs ?? 0);
    if (!auto || e.toCeiling || now >= ceilingAt) return false;
    if (!e.held) this.expiries.note(now);
    const verdict = judgeLearnedExpiry(e.held, Math.max(e.heldLateMs, lateMs), this.expiries.burst(now));
    if (verdict === 'fail') return false;
    if (verdict === 'hold') { e.held = true; e.heldLateMs = lateMs; this.counters.learnedHeld++; }
    else { e.toCeiling = true; this.counters.learnedToCeiling++; }
    this.deadlines.set(e.id, verdict === 'hold' ? Math.min(ceilingAt, now + HOLD_MS) : ceilingAt);
    this.rearm();
    return true;
  }

  private timedOut(e: Entry, lateMs: number, rescued: boolean): void {
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
  }

  /** The check's one outcome: its result, or the timeout's (then the signal is aborted). */
  private settle(e: Entry, result: CheckResult, timedOut = false): void {
    if (e.settled) return;
    e.settled = true;
    e.running = false;
    const ac = e.abort;
    e.abort = null;
    this.deadlines.remove(e.id);
    if (timedOut) ac?.abort();
    else if (e.held) this.counters.learnedRescued++;
    if (e.stopped || e.superseded) return;
    this.learned.observe(e.auto, result, e.held && timedOut ? result.ms : e.timeoutMs); // held: it waited longer, the least known
    this.record(e, result);
  }

  /** A state change the monitor saw between ticks: one result through the same rise/fall path. */
  private pushed(e: Entry, result: CheckResult): void {
    if (e.stopped) return;
    this.counters.pushedResults++;
    if (e.running) e.superseded = true;
    this.record(e, verdictOf(result));
  }

  private record(e: Entry, result: CheckResult): void {
    if (!e.seen) { e.seen = true; this.schedule.settled(this.clock.now()); }
    this.opts.onResult?.(e.target, e.monitor.kind, result, this.learned.view(e.auto, e.monitor.schedule));
    if (result.noVerdict) return; // the check could not be made: the server keeps its state (monitor.ts)
    const previous = e.up;
    const { next, changed } = applyResult(e, result.up, e.monitor.schedule);
    e.up = next.up;
    e.streak = next.streak;
    if (!changed) return;
    const now = this.clock.now();
    const at = this.clock.wallNow();
    const previousStateMs = previous === null ? null : now - e.stateSince;
    e.stateSince = now;
    this.log[result.up ? 'info' : 'debug'](result.up ? 'server up' : 'server down', { // a down: the coordinator's warning
      server: e.target.host, ip: e.target.ip, port: e.target.port, monitor: e.monitor.kind, reason: result.reason,
    });
    this.opts.onTransition({
      target: e.target, monitor: e.monitor.kind, up: result.up, previous, reason: result.reason, ms: result.ms, previousStateMs, at,
    });
  }
}

const monitorIds = new WeakMap<Monitor, number>();
let nextMonitorId = 0;
function entryKey(t: Target, m: Monitor): string {
  let id = monitorIds.get(m);
  if (id === undefined) { id = nextMonitorId++; monitorIds.set(m, id); }
  return flatString(`${id}#${targetKey(t)}`);
}
