/**
 * The reconnect loop every watching etcd client shares (the v3 and v2 pool sources, the shared
 * overrides): a session runs until it fails; the failure is reported; the loop waits (doubling
 * from min to max, back to min once a session is up again; the longest wait after a refusal, so a
 * refused prefix is not read again at once) and runs a new session. stop() ends the session and
 * waits for it.
 */
import type { Cancel, Clock } from '../time/clock.js';

export interface RetryOptions {
  clock: Clock;
  /** Reconnect backoff, ms: doubles from min to max; defaults 100 and 5000. */
  backoffMinMs?: number;
  backoffMaxMs?: number;
}

/** A session that ends in a refusal (e.g. a prefix over pool-max-servers): read again only after the longest wait. */
export class Refusal extends Error {}

export class RetryLoop {
  private abort = new AbortController();
  private cancel: Cancel | null = null;
  private running: Promise<void> | null = null;
  private backoff: number;
  private stopped = false;

  constructor(
    private readonly o: RetryOptions,
    private readonly session: (signal: AbortSignal) => Promise<void>,
    private readonly onFailure: (e: Error) => void,
  ) {
    this.backoff = this.min;
  }

  private get min(): number { return this.o.backoffMinMs ?? 100; }
  private get max(): number { return this.o.backoffMaxMs ?? 5000; }

  start(): void {
    if (this.stopped) return;
    this.cancel = null;
    this.abort = new AbortController();
    this.running = this.session(this.abort.signal).then(() => {
      // A session that ends without an error (aborted, or its stream closed): start again soon.
      if (!this.stopped) this.cancel = this.o.clock.setTimer(this.min, () => this.start());
    }, (e: unknown) => {
      if (this.stopped) return;
      const err = e instanceof Error ? e : new Error(String(e));
      this.onFailure(err);
      const delay = err instanceof Refusal ? this.max : this.backoff;
      this.backoff = Math.min(this.backoff * 2, this.max);
      this.cancel = this.o.clock.setTimer(delay, () => this.start());
    });
  }

  /** The session is up (connected and watching): the next failure waits the shortest time. */
  connected(): void { this.backoff = this.min; }

  async stop(): Promise<void> {
    this.stopped = true;
    this.cancel?.();
    this.abort.abort();
    await this.running;
  }
}
