/** One check bounded by its timeout: the deadline's verdict waits for I/O already received; reasons redacted. */
import type { Clock } from '../time/clock.js';
import { redactText } from '../log/redact.js';
import type { CheckResult, Monitor, Target } from './monitor.js';
import { CheckAbort } from './check-signal.js';

/** What the timeout needs besides the clock; the defaults are the real ones. */
export interface TimeoutHooks {
  /**
   * Runs the timeout's verdict after I/O already received is processed: setImmediate's check
   * phase comes after the poll phase, so a response that arrived while the loop was blocked is
   * read before a late timer can call the check a timeout.
   */
  defer?: (fn: () => void) => void;
  /** How late the timer fired, and whether the result came in before the deferred verdict. */
  onTimeout?: (lateMs: number, rescued: boolean) => void;
  /** This check's deadline when it is not the monitor's (`timeout = auto`: adaptive-timeout.ts). */
  timeoutMs?: number;
}

/**
 * Reasons reach logs, alerts, the API and metrics: no URL leaves with its secrets, whatever the monitor wrote.
 * Most checks repeat the same reason (`http://h/x: HTTP 200` for thousands of servers), so the last
 * redactions are remembered (a bounded map, emptied when full) instead of running the URL regex per check.
 */
export function redacted(r: CheckResult): CheckResult {
  if (!r.reason.includes('://')) return r;
  let reason = redactions.get(r.reason);
  if (reason === undefined) {
    reason = redactText(r.reason);
    if (redactions.size >= MAX_REDACTIONS) redactions.clear();
    redactions.set(r.reason, reason);
  }
  return reason === r.reason ? r : { ...r, reason };
}
const MAX_REDACTIONS = 512;

/**
 * Errors of this host, not of the server: out of file descriptors (EMFILE, ENFILE), of socket
 * buffers (ENOBUFS) or of local ports (EADDRNOTAVAIL). A (f) benchmark run at 19,000 checks/s hit
 * the process's 20,000-descriptor limit and every check failing with EMFILE marked its server down.
 */
const LOCAL_FAULT = /\b(EMFILE|ENFILE|ENOBUFS|EADDRNOTAVAIL)\b/;

/** A monitor's result as the runner counts it: redacted, and a local fault is no verdict (monitor.ts `noVerdict`). */
export function verdictOf(r: CheckResult): CheckResult {
  const out = redacted(r);
  return !out.up && !out.noVerdict && LOCAL_FAULT.test(out.reason) ? { ...out, noVerdict: true } : out;
}
const redactions = new Map<string, string>();

/** The result of a check whose deadline passed with nothing received. */
export const timeoutResult = (timeoutMs: number): CheckResult => ({ up: false, reason: `timeout after ${timeoutMs} ms`, ms: timeoutMs });

/** The result of a monitor that threw or rejected, against its contract. */
export const failedResult = (x: unknown, ms: number): CheckResult => ({ up: false, reason: `check failed: ${String(x)}`, ms });

/**
 * One check bounded by the monitor's timeout: the signal is aborted at the deadline and the result
 * is down even if a monitor ignored the signal. Never rejects. When the timer fires, the verdict
 * waits for `defer` (setImmediate): a response the kernel already holds, because vipd's own
 * event loop was blocked past the deadline, is read first and counts.
 */
export function checkWithTimeout(monitor: Monitor, target: Target, clock: Clock, hooks: TimeoutHooks = {}): Promise<CheckResult> {
  const started = clock.now();
  const timeoutMs = hooks.timeoutMs ?? monitor.schedule.timeoutMs;
  const ac = new CheckAbort();
  const defer = hooks.defer ?? setImmediate;
  // One promise settled once, by the check or by the deadline (thousands of checks per second).
  return new Promise<CheckResult>((resolve) => {
    let settled = false;
    let timerFired = false;
    const cancelTimeout = clock.setTimer(timeoutMs, () => {
      if (settled) return;
      timerFired = true;
      const lateMs = Math.max(0, clock.now() - started - timeoutMs);
      defer(() => {
        hooks.onTimeout?.(lateMs, settled);
        if (settled) return;
        settled = true;
        resolve(timeoutResult(timeoutMs)); // before the abort
        ac.abort();
      });
    });
    const finish = (result: CheckResult): void => {
      if (settled) return;
      settled = true;
      if (!timerFired) cancelTimeout();
      resolve(redacted(result)); // one-shot callers (`vipd check`) print it too
    };
    const failed = (x: unknown): void => finish(failedResult(x, clock.now() - started));
    try {
      monitor.check(target, ac).then(finish, failed);
    } catch (x) {
      failed(x);
    }
  });
}
