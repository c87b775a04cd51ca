/**
 * Posts a status delta to the API worker in parts, in order, a few milliseconds of posting per
 * turn of the main loop (status-delta.ts splitDelta): cloning 10,000 servers' counters for
 * postMessage in one go blocked the loop ~100 ms every reading. Every part but the last says
 * `more`: the worker applies it and answers its reading only with the last. At most one reading
 * waits: a new one first sends what is left of the previous at once (a saturated loop turns slowly
 * and the worker asks again after its timeout: queued readings once grew until the heap ran out).
 */
import type { MainMessage } from './protocol.js';
import { splitDelta, type StatusDelta } from './status-delta.js';

/** Servers' counters per part: ~3 ms of cloning each on the machine of docs/benchmarks.md. */
export const DELTA_PART_SERVERS = 1000;
/** Posting per turn of the loop before the rest waits for the next turn. */
const TURN_MS = 5;

export class DeltaSender {
  private queue: MainMessage[] = [];
  private pumping = false;

  constructor(private readonly post: (m: MainMessage) => void, private readonly maxServers = DELTA_PART_SERVERS) {}

  /** Parts still waiting (tests). */
  get waiting(): number { return this.queue.length; }

  send(d: StatusDelta): void {
    for (const m of this.queue) this.post(m);
    const parts = splitDelta(d, this.maxServers);
    this.queue = parts.map((delta, i) => (i < parts.length - 1 ? { t: 'delta', delta, more: true } : { t: 'delta', delta }));
    if (this.pumping) return; // the pump already scheduled takes these
    this.pumping = true;
    this.next();
  }

  private readonly next = (): void => {
    const start = performance.now();
    let i = 0;
    while (i < this.queue.length && (i === 0 || performance.now() - start < TURN_MS)) this.post(this.queue[i++]!);
    this.queue = this.queue.slice(i);
    if (this.queue.length) setImmediate(this.next);
    else this.pumping = false;
  };
}
