/**
 * Posts a status delta to the API worker in parts, in order, a few milliseconds of work per turn of
 * the main loop (delta-parts.ts): cloning 10,000 servers' counters for postMessage in one go
 * blocked the loop ~100 ms every reading, and encoding them 75–150 ms more, so counters are encoded
 * part by part as they go. Every part but the last says `more`: the worker applies it and answers
 * its reading only with the last. At most one reading waits: a new one first sends what is left of
 * the previous at once (a saturated loop turns slowly and the worker asks again after its timeout:
 * queued readings once grew until the heap ran out).
 */
import { lazyParts, splitDelta } from './delta-parts.js';
import type { MainMessage } from './protocol.js';
import type { CounterDelta, DeltaJob, PoolPiece, StatusDelta } from './status-delta.js';

/** Servers per part: ~1.5 ms of encoding and cloning each on the machine of docs/benchmarks.md, and the worker's deserialising and applying of one part (with its collections) under ~50 ms (1,000: up to ~85 ms). */
export const DELTA_PART_SERVERS = 500;
/** Work per turn of the loop before the rest waits for the next turn. */
const TURN_MS = 5;

export class DeltaSender {
  private parts: Iterator<StatusDelta> | null = null;
  private left = 0;
  private pumping = false;

  /**
   * `onError`: a part's counters could not be encoded (after the reading's own try/catch): the rest
   * of the reading is dropped, the worker told (`snapshot-error`), and the caller marks everything
   * so that the next reading is complete. Never an exception out of the pump.
   */
  constructor(
    private readonly post: (m: MainMessage) => void, private readonly maxServers = DELTA_PART_SERVERS,
    private readonly onError: (e: unknown) => void = () => {},
  ) {}

  /** Parts still waiting (tests). */
  get waiting(): number { return this.left; }

  /** `d` as built, or with `jobs` (buildDelta's) whose counters `encode` makes part by part (pools sent whole: `piece`). */
  send(
    d: StatusDelta, jobs: readonly DeltaJob[] = [], encode?: (service: string, hosts: string[]) => CounterDelta | null,
    piece?: (job: DeltaJob) => PoolPiece | null,
  ): void {
    while (this.left > 0) this.postOne();
    if (jobs.length && encode) {
      const lazy = lazyParts(d, jobs, encode, this.maxServers, piece);
      this.parts = lazy.parts;
      this.left = lazy.count;
    } else {
      const all = splitDelta(d, this.maxServers);
      this.parts = all.values();
      this.left = all.length;
    }
    if (this.pumping) return; // the pump already scheduled takes these
    this.pumping = true;
    this.next();
  }

  private postOne(): void {
    let r: IteratorResult<StatusDelta>;
    try {
      r = this.parts!.next();
    } catch (e) {
      this.left = 0;
      this.onError(e);
      this.post({ t: 'snapshot-error', message: e instanceof Error ? e.message : String(e) });
      return;
    }
    this.left--;
    if (r.done) { this.left = 0; return; }
    this.post(this.left > 0 ? { t: 'delta', delta: r.value, more: true } : { t: 'delta', delta: r.value });
  }

  private readonly next = (): void => {
    const start = performance.now();
    for (let i = 0; this.left > 0 && (i === 0 || performance.now() - start < TURN_MS); i++) this.postOne();
    if (this.left > 0) setImmediate(this.next);
    else this.pumping = false;
  };
}
