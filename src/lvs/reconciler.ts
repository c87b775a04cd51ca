import type { Logger } from '../log/logger.js';
import { millis, type Cancel, type Clock, type Millis } from '../time/clock.js';
import { eachSliced } from '../time/slices.js';
import { renderCommand, type Command } from './commands.js';
import { IpvsError } from './errors.js';
import { backoff } from './backoff.js';
import type { ApplyResult, Ipvs } from './ipvs.js';
import { describeService, type IpvsTable } from './model.js';

export interface ReconcilerOptions {
  ipvs: Ipvs;
  clock: Clock;
  logger: Logger;
  /** `ipvs-reconcile-interval`; default 30 s. */
  intervalMs?: Millis;
}

export type ReconcileOutcome =
  | { readonly ok: true; readonly commands: readonly Command[] }
  | { readonly ok: false; readonly error: IpvsError };

export const DEFAULT_RECONCILE_INTERVAL = millis(30_000);
/** After a failed apply the next check comes this soon, doubling up to the interval. */
export const FIRST_RETRY = millis(1000);

const keyOf = (c: Command) => (c.op === 'add-service' || c.op === 'edit-service' ? c.service.key : c.key);

/** A run waiting for the one in flight; later requests join it (issue 13 §2: coalesced). */
interface Pending {
  /** Read the table back (a periodic check or a retry) rather than trust the known one. */
  readBack: boolean;
  /** A decision joined it: its commands are changes, not drift repairs. */
  decision: boolean;
  done: Promise<ReconcileOutcome>;
}

/**
 * Keeps the kernel equal to the latest decision: applies each decision at once and, every
 * interval, reads back and repairs drift (someone ran ipvsadm by hand). At most one batch is
 * in flight and one run pending; a burst of decisions while a batch runs becomes one more
 * batch, of the newest desired table. Decisions plan against the table the driver knows; the
 * kernel is read back by the periodic check and after a failed batch, not per decision.
 */
export class IpvsReconciler {
  /** Commands applied to repair drift found by the periodic check (a metric). */
  repairs = 0;
  /** Failed applies (decisions and checks). */
  failures = 0;
  private desired: IpvsTable | null = null;
  /** Settles when the last queued work has; holds none of its results (a counters read is 10,000 rows). */
  private queue: Promise<void> = Promise.resolve();
  private pending: Pending | null = null;
  private cancel: Cancel | null = null;
  private running = false;
  /** Set by stop(): applies still queued then reach the kernel no more. */
  private stopped = false;
  /** Failed applies in a row; while above 0 the next check comes by backoff, not the interval. */
  private streak = 0;
  private readonly interval: Millis;
  private listener: (o: ReconcileOutcome) => void = () => {};

  constructor(private readonly opts: ReconcilerOptions) {
    this.interval = opts.intervalMs ?? DEFAULT_RECONCILE_INTERVAL;
  }

  /** A new decision: applied now (after any apply in progress). */
  setDesired(desired: IpvsTable): Promise<ReconcileOutcome> {
    this.desired = desired;
    return this.enqueue(false, true);
  }

  /** Hears the outcome of every apply: decisions, periodic checks and retries (one listener). */
  onOutcome(listener: (o: ReconcileOutcome) => void): void { this.listener = listener; }

  /**
   * Runs `read` (a counters read, issue 16 §1) in the same queue as the batches: never while one
   * is in flight; a decision that comes meanwhile runs right after it.
   */
  exclusive<T>(read: () => Promise<T>): Promise<T> {
    const done = this.queue.then(read);
    this.queue = ended(done);
    return done;
  }

  /** Reads back and repairs drift now; what the interval timer runs. */
  check(): Promise<ReconcileOutcome> {
    return this.enqueue(true, false);
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.stopped = false;
    this.schedule(this.interval);
  }

  stop(): void {
    this.running = false;
    this.stopped = true;
    this.cancel?.();
    this.cancel = null;
  }

  private schedule(ms: Millis): void {
    this.cancel?.();
    this.cancel = this.opts.clock.setTimer(ms, () => {
      this.cancel = null;
      void this.check().finally(() => { if (this.running && !this.cancel) this.schedule(this.nextDelay()); });
    });
  }

  private nextDelay(): Millis {
    return this.streak ? backoff(this.streak, FIRST_RETRY, this.interval) : this.interval;
  }

  private enqueue(readBack: boolean, decision: boolean): Promise<ReconcileOutcome> {
    const joined = this.pending;
    if (joined) {
      joined.readBack ||= readBack;
      joined.decision ||= decision;
      return joined.done;
    }
    const slot: Pending = { readBack, decision, done: Promise.resolve({ ok: true, commands: [] }) };
    slot.done = this.queue
      .then(() => {
        this.pending = null; // in flight now: what comes next waits in a new slot
        return this.run(slot.readBack, !slot.decision);
      })
      .then((o) => { this.listener(o); return o; });
    this.pending = slot;
    this.queue = ended(slot.done);
    return slot.done;
  }

  /** `repair`: the commands mend drift (a check no decision joined), logged and counted as such. */
  private async run(readBack: boolean, repair: boolean): Promise<ReconcileOutcome> {
    const desired = this.desired;
    if (!desired || this.stopped) return { ok: true, commands: [] };
    const log = this.opts.logger;
    let result: ApplyResult;
    try {
      result = await this.opts.ipvs.apply(desired, { readBack });
    } catch (e) {
      const error = e instanceof IpvsError ? e : new IpvsError('unknown', e instanceof Error ? e.message : String(e));
      this.failures++;
      this.streak++;
      // The driver has read the table back already; retry soon rather than at the interval.
      if (this.running) this.schedule(this.nextDelay());
      log.error('IPVS apply failed', { kind: error.kind, error: error.message, retryInMs: this.nextDelay() });
      return { ok: false, error };
    }
    this.streak = 0;
    // a line per command, in slices: a first batch of 10,000 was one block (issue 13 §5)
    await eachSliced(result.commands, (c) => {
      const ctx = { service: describeService(keyOf(c)), command: renderCommand(c) };
      if (repair) log.warn('repaired IPVS drift', ctx);
      else log.info('IPVS change', ctx);
    });
    if (repair) this.repairs += result.commands.length;
    return { ok: true, commands: result.commands };
  }
}

/** `p` settled, its value or error dropped. */
const ended = (p: Promise<unknown>): Promise<void> => p.then(() => undefined, () => undefined);
