/**
 * The last LATENCY_SAMPLES check durations of many (service, host, monitor) series in one shared
 * Float32Array: 64 bytes per series (a Float32Array of its own costs ~300 bytes of heap each in
 * V8; at 10,000 servers that is the difference between ~0.6 and ~3 MB). Slots of forgotten series
 * are reused; the bank grows by doubling and never beyond the number of live series.
 */
export const LATENCY_SAMPLES = 16;

export class LatencyRings {
  private bank = new Float32Array(64 * LATENCY_SAMPLES);
  private readonly free: number[] = [];
  private used = 0;

  /** A slot for a new series. */
  alloc(): number {
    const s = this.free.pop();
    if (s !== undefined) return s;
    if ((this.used + 1) * LATENCY_SAMPLES > this.bank.length) {
      const next = new Float32Array(this.bank.length * 2);
      next.set(this.bank);
      this.bank = next;
    }
    return this.used++;
  }

  release(slot: number): void { this.free.push(slot); }

  /** Stores sample number `n` (0-based count of samples before it) of `slot`. */
  put(slot: number, n: number, ms: number): void {
    this.bank[slot * LATENCY_SAMPLES + (n % LATENCY_SAMPLES)] = Number.isFinite(ms) && ms > 0 ? ms : 0;
  }

  /** The last min(count, LATENCY_SAMPLES) samples of `slot`, oldest first. */
  values(slot: number, count: number): number[] {
    const n = Math.min(count, LATENCY_SAMPLES);
    const out = new Array<number>(n);
    const base = slot * LATENCY_SAMPLES;
    for (let i = 0; i < n; i++) out[i] = this.bank[base + ((count - n + i) % LATENCY_SAMPLES)]!;
    return out;
  }
}
