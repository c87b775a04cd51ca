/**
 * Single-flight, rate-bounded access to the main thread's status (pure: the caller supplies the
 * clock and the request, and reports the answer). At most one snapshot request is in flight and
 * every waiting HTTP request shares its answer; fresh snapshots are paid from a token bucket
 * (`ratePerSec`, `burst`), and when it is empty the last snapshot is reused, so the main thread
 * takes at most burst + ratePerSec·t snapshots whatever the number of HTTP requests.
 */
export interface SnapshotCacheOptions {
  now(): number;
  /** Ask the owner of the status for a snapshot; answer later with resolve() or reject(). */
  request(): void;
  ratePerSec: number;
  burst: number;
}

interface Waiter<T> { resolve(v: T): void; reject(e: Error): void }

export class SnapshotCache<T> {
  private tokens: number;
  private refilledAt: number;
  private waiters: Waiter<T>[] | null = null;
  private last: T | null = null;
  /** Snapshots requested so far (tests and metrics of the worker itself). */
  requests = 0;

  constructor(private readonly opts: SnapshotCacheOptions) {
    this.tokens = opts.burst;
    this.refilledAt = opts.now();
  }

  get inFlight(): boolean { return this.waiters !== null; }

  get(): Promise<T> {
    if (this.waiters) return this.wait(this.waiters);
    const now = this.opts.now();
    this.tokens = Math.min(this.opts.burst, this.tokens + ((now - this.refilledAt) / 1000) * this.opts.ratePerSec);
    this.refilledAt = now;
    if (this.tokens < 1 && this.last !== null) return Promise.resolve(this.last);
    this.tokens = Math.max(0, this.tokens - 1);
    const waiters: Waiter<T>[] = [];
    this.waiters = waiters;
    this.requests++;
    const p = this.wait(waiters);
    this.opts.request();
    return p;
  }

  resolve(snapshot: T): void {
    const w = this.waiters ?? [];
    this.waiters = null;
    this.last = snapshot;
    for (const x of w) x.resolve(snapshot);
  }

  reject(error: Error): void {
    const w = this.waiters ?? [];
    this.waiters = null;
    for (const x of w) x.reject(error);
  }

  /**
   * The status changed by a write (answered after every snapshot asked before it): the next get()
   * takes a fresh one, so a read after a write sees it. Writes are authenticated and rate-limited.
   */
  invalidate(): void { this.last = null; }

  private wait(w: Waiter<T>[]): Promise<T> {
    return new Promise<T>((resolve, reject) => { w.push({ resolve, reject }); });
  }
}
