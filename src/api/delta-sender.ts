/**
 * Posts a status delta to the API worker in parts, one per turn of the main loop and in order
 * (status-delta.ts splitDelta): cloning 10,000 servers' counters for postMessage in one go blocked
 * the loop ~100 ms every reading (issue 13 §5). Every part but the last says `more`: the worker
 * applies it and answers its reading only with the last.
 */
import type { MainMessage } from './protocol.js';
import { splitDelta, type StatusDelta } from './status-delta.js';

/** Servers' counters per part: ~3 ms of cloning each on the machine of docs/benchmarks.md. */
export const DELTA_PART_SERVERS = 1000;

export class DeltaSender {
  private readonly queue: MainMessage[] = [];
  private pumping = false;

  constructor(private readonly post: (m: MainMessage) => void, private readonly maxServers = DELTA_PART_SERVERS) {}

  send(d: StatusDelta): void {
    const parts = splitDelta(d, this.maxServers);
    parts.forEach((delta, i) => this.queue.push(i < parts.length - 1 ? { t: 'delta', delta, more: true } : { t: 'delta', delta }));
    if (this.pumping) return; // a reading still being sent: these parts follow it
    this.pumping = true;
    this.next();
  }

  private readonly next = (): void => {
    const m = this.queue.shift();
    if (m) this.post(m);
    if (this.queue.length) setImmediate(this.next);
    else this.pumping = false;
  };
}
