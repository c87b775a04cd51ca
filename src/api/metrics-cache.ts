/**
 * /metrics kept rendered in the API worker (issue 13: /metrics within 100 ms at 10,000
 * realservers). After each status update the worker re-renders the text in slices of a few
 * milliseconds (metricsSliced), so HTTP requests are answered between slices, and a scrape only
 * writes out the last complete body. A render asked for while one runs restarts once the running
 * one has finished (the newest status wins; nothing queues up).
 */
import { LineMemo } from './line-memo.js';
import { metricsSliced } from './metrics.js';
import type { StatusSnapshot } from './types.js';

/**
 * How the worker answers a scrape (pure): the kept body; after the render under way (or one started
 * for it); or a render on the spot (a small installation, where that is cheap and every gauge is
 * current). From `keptServers` realservers a scrape never renders on the spot: 32 looping clients at
 * 19,000 servers each rendered their own (tens of MB each) once the kept body went stale, and the
 * worker ran out of memory.
 */
export type ScrapeAnswer = 'kept' | 'wait' | 'fresh';
export function scrapeAnswer(o: {
  servers: number; keptServers: number; bodyAgeMs: number | null; maxAgeMs: number; lastRenderMs: number; freshRenderMs: number;
}): ScrapeAnswer {
  const current = o.bodyAgeMs !== null && o.bodyAgeMs < o.maxAgeMs;
  if (o.servers >= o.keptServers) return current ? 'kept' : 'wait';
  return current && o.lastRenderMs >= o.freshRenderMs ? 'kept' : 'fresh';
}

/**
 * How often the kept text is re-rendered, and how old it may be when served (pure). A render's
 * cost grows with the servers (~40 ms of CPU at 10,000 servers, session 13 in docs/benchmarks.md), and
 * a render per status reading plus one a second took a third of a core per instance in
 * bench:fleet. While someone scrapes, the data must stay current (an operator watching a rack fail
 * sees it within seconds: test/integration/api-scale.test.ts), so the period stretches only to
 * 2 × the last render's work, at most 2 s; while nobody does (from `keptServers` only), every 5 s
 * or 20 × the work (≤ 5% of a core).
 */
const MAX_SCRAPED_REFRESH_MS = 2000;

export function keptTimes(o: { scraping: boolean; big: boolean; lastRenderMs: number }): { refreshMs: number; maxAgeMs: number } {
  const scrapeRefresh = Math.max(1000, Math.min(MAX_SCRAPED_REFRESH_MS, 2 * o.lastRenderMs));
  if (o.scraping) return { refreshMs: scrapeRefresh, maxAgeMs: 3 * scrapeRefresh + 2000 };
  if (!o.big) return { refreshMs: Infinity, maxAgeMs: 3 * scrapeRefresh + 2000 };
  const idleRefresh = Math.max(5000, 20 * o.lastRenderMs);
  return { refreshMs: idleRefresh, maxAgeMs: idleRefresh + Math.max(3000, 3 * o.lastRenderMs) };
}

export interface MetricsCacheOptions {
  now(): number;
  /** Work per slice before yielding to the event loop (ms). */
  sliceMs?: number;
  /** Runs `fn` on a later turn of the event loop (setImmediate; tests may drive it). */
  later?: (fn: () => void) => void;
}

export class MetricsCache {
  private current: { body: Buffer; at: number } | null = null;
  private running = false;
  private pending: (() => StatusSnapshot) | null = null;
  private waiters: (() => void)[] = [];
  /** The kept body's per-server lines, so that unchanged families are copied (line-memo.ts). */
  private readonly memo = new LineMemo();
  /** Longest slice so far (ms): what a scrape may wait behind a render. */
  maxSliceMs = 0;
  /** Renders completed. */
  renders = 0;
  /** The work (sum of its slices, ms) of the last complete render. */
  lastRenderMs = 0;

  constructor(private readonly opts: MetricsCacheOptions) {}

  /** The last complete body and when its render started (opts.now()), or null before the first. */
  get body(): { body: Buffer; at: number } | null { return this.current; }

  /** A render is under way. */
  get rendering(): boolean { return this.running; }

  /** Resolves when the render under way (if any) has completed or failed: a first scrape waits for it, not for a render of its own. */
  rendered(): Promise<void> {
    return this.running ? new Promise((resolve) => { this.waiters.push(resolve); }) : Promise.resolve();
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  /** Re-render from the status `snap()` returns (read when the render starts). */
  refresh(snap: () => StatusSnapshot): void {
    this.pending = snap;
    if (!this.running) this.next();
  }

  private next(): void {
    const snap = this.pending;
    this.pending = null;
    if (!snap) { this.running = false; this.wake(); return; }
    this.running = true;
    const at = this.opts.now();
    let gen: Generator<void, Buffer>;
    try {
      gen = metricsSliced(snap(), this.current?.body.length, this.memo);
    } catch {
      this.running = false; // no status yet: the next update renders
      this.wake();
      return;
    }
    const sliceMs = this.opts.sliceMs ?? 5;
    let work = 0;
    const later = this.opts.later ?? ((fn: () => void) => { setImmediate(fn); });
    const step = (): void => {
      const t0 = this.opts.now();
      try {
        for (;;) {
          const r = gen.next();
          if (r.done) {
            this.current = { body: r.value, at };
            this.renders++;
            const spent = this.opts.now() - t0;
            this.lastRenderMs = work + spent;
            this.maxSliceMs = Math.max(this.maxSliceMs, spent);
            this.wake();
            this.next();
            return;
          }
          if (this.opts.now() - t0 >= sliceMs) break;
        }
      } catch {
        this.next(); // a render that throws leaves the last body; the scrape path reports errors
        return;
      }
      const spent = this.opts.now() - t0;
      work += spent;
      this.maxSliceMs = Math.max(this.maxSliceMs, spent);
      later(step);
    };
    step();
  }
}
