/**
 * When to start the API worker again after it died (issue 11: the API comes back by itself, a
 * worker that keeps dying is not restarted in a tight loop). Pure: the caller supplies the time.
 * The wait doubles with each death or failed start, from `firstMs` up to `maxMs`, and starts over
 * once a worker has stayed up for `stableMs`.
 */
export interface BackoffOptions { firstMs: number; maxMs: number; stableMs: number }

export const API_RESTART_BACKOFF: BackoffOptions = { firstMs: 200, maxMs: 30_000, stableMs: 60_000 };

export class RestartBackoff {
  private failures = 0;
  private upAt: number | null = null;

  constructor(private readonly opts: BackoffOptions = API_RESTART_BACKOFF) {}

  /** A worker is up (listening) at `now`. */
  up(now: number): void { this.upAt = now; }

  /** A worker died or failed to start at `now`: how long to wait before the next start (ms). */
  next(now: number): number {
    if (this.upAt !== null && now - this.upAt >= this.opts.stableMs) this.failures = 0;
    this.upAt = null;
    const wait = Math.min(this.opts.maxMs, this.opts.firstMs * 2 ** Math.min(this.failures, 30));
    this.failures++;
    return wait;
  }
}
