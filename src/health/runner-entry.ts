/** The health runner's state for one server under one monitor (runner.ts): a fixed shape, no closures. */
import type { CheckAbort } from './check-signal.js';
import type { Monitor, Target } from './monitor.js';

/** One server under one monitor: a fixed shape, found by its id in the wheel's heaps. */
export class Entry {
  running = false;
  stopped = false;
  /** A pushed result arrived while a check ran: that check's result is stale and dropped. */
  superseded = false;
  /** Has given its first result (the first round waits for every server's). */
  seen = false;
  /** Hysteresis (hysteresis.ts): null before the first result; results disagreeing with `up` in a row. */
  up: boolean | null = null;
  streak = 0;
  dueAt: number;
  stateSince: number;
  /** The running check: its number, signal and deadline's fate. */
  gen = 0;
  settled = true;
  abort: CheckAbort | null = null;
  startedAt = 0;
  lastLateMs = 0;
  maxLateMs = 0;
  lastTimeoutLateMs = 0;
  unwatch: (() => void) | null = null;
  /** `timeout = auto`: its slot in the runner's AdaptiveTimeouts (else -1), and the running check's deadline. */
  auto = -1;
  timeoutMs = 0;
  /** The learned deadline passed: held (and how late that timer fired), then waiting to the ceiling (learned-expiry.ts). */
  held = false;
  heldLateMs = 0;
  toCeiling = false;
  constructor(readonly id: number, readonly key: string, readonly target: Target, readonly monitor: Monitor, dueAt: number, now: number) {
    this.dueAt = dueAt;
    this.stateSince = now;
  }
}
