/**
 * `<monitor>.timeout = auto` (issue 16 §5): each server's check deadline learned from its own
 * recent answers, so a server that answers in 1 ms is declared hung after tens of milliseconds,
 * while a server whose latency shifts (GC, a slow deploy) keeps passing. The rule, per check:
 *
 *   deadline = clamp(max(P99_FACTOR × p99, MAX_FACTOR × max), floor, ceiling)
 *
 * over the last WINDOW–2×WINDOW checks (p99 and max read from a log histogram, rounded up to a
 * bucket edge), and the ceiling (`timeout-max`) until WARMUP answers are known. A good answer adds
 * its duration; a check that expired adds its deadline (the answer was slower than that, the least
 * we know), so the next deadline is 4× wider and the window remembers it.
 * What it promises (docs/config.md "Learned timeouts"):
 * - an answer within 12 × p99 or 4 × the slowest answer of the window passes: a sudden 10× shift
 *   of a steady server, and a slow mode of a bimodal one seen in the window, never fail a check;
 * - after an answer of x ms the next checks wait at least 4x: a latency growing less than 4× per
 *   check never fails one before the ceiling;
 * - a check that expires below the ceiling widens the next ones 4× (25 → 100 → 400 ms ...): a
 *   shift too sudden for the first rule, or a slow mode rarer than once a window, costs one failed
 *   check, not two in a row (so `fall = 2` absorbs it) — and with `fall = 1` it is a transition;
 * - never longer than the ceiling, never shorter than the floor (25 ms).
 * A hung server is down after max(floor, 12 × p99, 4 × max) plus a 50 ms hold instead of the
 * ceiling; many deadlines passing together (a common cause) wait to the ceiling (learned-expiry.ts).
 *
 * Memory: one shared Uint16Array bank, 2 × BUCKETS counts per server, plus three small counters:
 * 132 bytes a server (1.3 MB at 10,000), no object per server.
 */
import type { CheckResult, Schedule } from './monitor.js';

/** The learned deadline is never shorter than this (the 25 ms), nor longer than the ceiling. */
export const FLOOR_MS = 25;
export const P99_FACTOR = 12;
export const MAX_FACTOR = 4;
/** Answers (or expiries) needed before the learned deadline replaces the ceiling. */
export const WARMUP = 20;
/** Answers per histogram half: p99 and max cover the last WINDOW to 2 × WINDOW good answers. */
export const WINDOW = 128;

/** Bucket b holds answers in (EDGE0 × 2^((b-1)/2), EDGE0 × 2^(b/2)] ms; the last one holds everything above. */
const EDGE0 = 0.25;
export const BUCKETS = 32; // up to 0.25 × 2^15.5 ≈ 11.6 s; slower answers all count as that
const EDGES = Float64Array.from({ length: BUCKETS }, (_, b) => EDGE0 * 2 ** (b / 2));
const STRIDE = 2 * BUCKETS;

/** The bucket of an answer of `ms`. */
export function bucketOf(ms: number): number {
  if (!(ms > EDGE0)) return 0;
  return Math.min(BUCKETS - 1, Math.ceil(2 * Math.log2(ms / EDGE0) - 1e-9));
}

/** The upper edge of bucket b (the value p99 and max are rounded up to). */
export const bucketEdge = (b: number): number => EDGES[Math.min(BUCKETS - 1, Math.max(0, b))]!;

/** What the rule needs of one server: its window's p99 and max (ms), and how many answers are known. */
export interface Learned { p99: number; max: number; samples: number }

/** The deadline (ms) of the next check: the pure rule above. */
export function learnedDeadline(l: Learned, ceilingMs: number, floorMs = FLOOR_MS): number {
  if (l.samples < WARMUP) return ceilingMs;
  const d = Math.max(P99_FACTOR * l.p99, MAX_FACTOR * l.max, floorMs);
  return Math.max(1, Math.min(ceilingMs, Math.ceil(d)));
}

/** What status shows of a server under `timeout = auto`: the next check's deadline and the window's p99 (ms). */
export interface LearnedTimeout { deadlineMs: number; p99Ms: number; samples: number }

/** The timeout of a schedule that learns (`timeout = auto`); absent: the fixed `timeoutMs`. */
export interface AutoTimeout { ceilingMs: number; floorMs: number }

/**
 * The per-server state of every server whose monitor has `timeout = auto`, in typed arrays indexed
 * by a slot (alloc/release, as LatencyRings). Slot -1 means "fixed timeout": every method is a no-op.
 */
export class AdaptiveTimeouts {
  private counts = new Uint16Array(64 * STRIDE);
  /** Answers in the current half (0..WINDOW-1); which half is current (0 or 1). */
  private fill = new Uint16Array(64);
  private half = new Uint8Array(64);
  /** Answers known, saturating at 255 (only WARMUP matters). */
  private seen = new Uint8Array(64);
  private readonly free: number[] = [];
  private used = 0;

  alloc(): number {
    const s = this.free.pop();
    if (s !== undefined) return s;
    if (this.used === this.fill.length) this.grow();
    return this.used++;
  }

  release(slot: number): void {
    if (slot < 0) return;
    this.counts.fill(0, slot * STRIDE, (slot + 1) * STRIDE);
    this.fill[slot] = 0; this.half[slot] = 0; this.seen[slot] = 0;
    this.free.push(slot);
  }

  /** The deadline of the next check of `slot` under `schedule`. */
  timeoutMs(slot: number, schedule: Schedule): number {
    const auto = schedule.auto;
    if (slot < 0 || !auto) return schedule.timeoutMs;
    return learnedDeadline(this.learned(slot), auto.ceilingMs, auto.floorMs);
  }

  /** The status of `slot` under `schedule`: null for a fixed timeout. */
  view(slot: number, schedule: Schedule): LearnedTimeout | null {
    const auto = schedule.auto;
    if (slot < 0 || !auto) return null;
    const l = this.learned(slot);
    return { deadlineMs: learnedDeadline(l, auto.ceilingMs, auto.floorMs), p99Ms: l.p99, samples: l.samples };
  }

  /**
   * One check's outcome under `deadlineMs`: a good answer adds its duration; a result that took the
   * whole deadline (it expired) adds the deadline; other failures (refused, HTTP 500) teach nothing.
   */
  observe(slot: number, result: CheckResult, deadlineMs: number): void {
    if (slot < 0) return;
    if (result.up) this.add(slot, result.ms);
    else if (result.ms >= deadlineMs) this.add(slot, deadlineMs);
  }

  /** p99, max and samples of `slot` (for the rule, tests and status). */
  learned(slot: number): Learned {
    const base = slot * STRIDE;
    let total = 0;
    let top = -1;
    for (let b = 0; b < BUCKETS; b++) {
      const n = this.counts[base + b]! + this.counts[base + BUCKETS + b]!;
      if (n > 0) { total += n; top = b; }
    }
    if (total === 0) return { p99: 0, max: 0, samples: this.seen[slot]! };
    // The smallest bucket edge with at least 99% of the answers at or below it.
    const want = Math.ceil(total * 0.99);
    let acc = 0;
    let p = top;
    for (let b = 0; b < BUCKETS; b++) {
      acc += this.counts[base + b]! + this.counts[base + BUCKETS + b]!;
      if (acc >= want) { p = b; break; }
    }
    return { p99: bucketEdge(p), max: bucketEdge(top), samples: this.seen[slot]! };
  }

  private add(slot: number, ms: number): void {
    if (this.fill[slot]! >= WINDOW) {
      // The older half is dropped: the window slides by WINDOW answers.
      const h = this.half[slot]! ^ 1;
      this.half[slot] = h;
      this.counts.fill(0, slot * STRIDE + h * BUCKETS, slot * STRIDE + (h + 1) * BUCKETS);
      this.fill[slot] = 0;
    }
    const i = slot * STRIDE + this.half[slot]! * BUCKETS + bucketOf(ms);
    if (this.counts[i]! < 0xffff) this.counts[i] = this.counts[i]! + 1;
    this.fill[slot] = this.fill[slot]! + 1;
    if (this.seen[slot]! < 255) this.seen[slot] = this.seen[slot]! + 1;
  }

  private grow(): void {
    const n = this.fill.length * 2;
    const counts = new Uint16Array(n * STRIDE); counts.set(this.counts); this.counts = counts;
    const fill = new Uint16Array(n); fill.set(this.fill); this.fill = fill;
    const half = new Uint8Array(n); half.set(this.half); this.half = half;
    const seen = new Uint8Array(n); seen.set(this.seen); this.seen = seen;
  }
}
