/**
 * Per-client token buckets (pure: time is passed in). `rate` requests per second with a burst of
 * `burst`; the table holds at most `maxClients` addresses, full buckets being forgotten first.
 */
export interface RateLimitOptions { rate: number; burst: number; maxClients: number }

interface Bucket { tokens: number; at: number }

export class ClientRateLimiter {
  private readonly buckets = new Map<string, Bucket>();

  constructor(private readonly opts: RateLimitOptions) {}

  get size(): number { return this.buckets.size; }

  /** true when `client` may make one more request at time `now` (ms), and counts it. */
  allow(client: string, now: number): boolean {
    let b = this.buckets.get(client);
    if (!b) {
      if (this.buckets.size >= this.opts.maxClients) this.prune(now);
      b = { tokens: this.opts.burst, at: now };
      this.buckets.set(client, b);
    }
    b.tokens = Math.min(this.opts.burst, b.tokens + (Math.max(0, now - b.at) / 1000) * this.opts.rate);
    b.at = now;
    if (b.tokens < 1) return false;
    b.tokens -= 1;
    return true;
  }

  /** Forgets every client whose bucket has refilled; if none has, the oldest half. */
  private prune(now: number): void {
    for (const [k, b] of this.buckets) {
      if (b.tokens + (Math.max(0, now - b.at) / 1000) * this.opts.rate >= this.opts.burst) this.buckets.delete(k);
    }
    if (this.buckets.size < this.opts.maxClients) return;
    let n = Math.ceil(this.buckets.size / 2);
    for (const k of this.buckets.keys()) {
      if (n-- <= 0) break;
      this.buckets.delete(k);
    }
  }
}

/**
 * One log line per limit per `intervalMs` at most, naming the client and how many hits were
 * not reported since the last line.
 */
export class LimitReporter {
  private readonly last = new Map<string, { at: number; suppressed: number }>();

  constructor(private readonly intervalMs: number) {}

  /** The line to log now, or null when an earlier line for this limit is recent enough. */
  hit(limit: string, client: string, detail: string, now: number): string | null {
    const l = this.last.get(limit);
    if (l && now - l.at < this.intervalMs) {
      l.suppressed++;
      return null;
    }
    const more = l && l.suppressed ? ` (${l.suppressed} more since the last report)` : '';
    this.last.set(limit, { at: now, suppressed: 0 });
    return `instrumentation: ${limit} limit hit by ${client}: ${detail}${more}`;
  }
}
