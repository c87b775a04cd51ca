/**
 * The health runner's scheduler wheel (issue 13 §3): one indexed binary min-heap of small integer
 * ids keyed by a time, instead of a timer and its closures per server. Ids with equal times leave
 * in the order they were set (a sequence number breaks ties), so servers due together are served
 * first come, first served. Keys, sequence numbers and heap positions live in typed arrays that
 * grow by doubling: 32 bytes per id, nothing allocated per set or pop.
 */
export class TimeHeap {
  private heap: Int32Array;
  private pos: Int32Array;
  private keys: Float64Array;
  private seqs: Float64Array;
  private n = 0;
  private seq = 0;

  constructor(capacity = 64) {
    const c = Math.max(1, capacity);
    this.heap = new Int32Array(c);
    this.pos = new Int32Array(c).fill(-1);
    this.keys = new Float64Array(c);
    this.seqs = new Float64Array(c);
  }

  get size(): number { return this.n; }

  has(id: number): boolean { return id < this.pos.length && this.pos[id]! >= 0; }

  /** The time of `id`, or NaN when it is not in the heap. */
  keyOf(id: number): number { return this.has(id) ? this.keys[id]! : NaN; }

  /** Puts `id` at time `key`, or moves it there (then it goes behind ids already at that time). */
  set(id: number, key: number): void {
    this.ensure(id);
    const was = this.keys[id]!;
    this.keys[id] = key;
    this.seqs[id] = this.seq++;
    let i = this.pos[id]!;
    if (i < 0) {
      i = this.n++;
      this.heap[i] = id;
      this.pos[id] = i;
      this.up(i);
      return;
    }
    // A later time (or the same, now behind its peers) only sinks; an earlier one only rises. The
    // wheel's usual move, the root to its next due time, is one sift down.
    if (key < was) this.up(i);
    else this.down(i);
  }

  remove(id: number): void {
    if (!this.has(id)) return;
    const i = this.pos[id]!;
    this.pos[id] = -1;
    const last = this.heap[--this.n]!;
    if (i === this.n) return;
    this.heap[i] = last;
    this.pos[last] = i;
    this.up(i);
    this.down(this.pos[last]!);
  }

  /** The earliest id, or -1 when empty. */
  peek(): number { return this.n > 0 ? this.heap[0]! : -1; }

  /** The earliest time, or Infinity when empty. */
  peekKey(): number { return this.n > 0 ? this.keys[this.heap[0]!]! : Infinity; }

  /** Removes and returns the earliest id, or -1 when empty. */
  pop(): number {
    const id = this.peek();
    if (id >= 0) this.remove(id);
    return id;
  }

  private before(a: number, b: number): boolean {
    const ka = this.keys[a]!;
    const kb = this.keys[b]!;
    return ka < kb || (ka === kb && this.seqs[a]! < this.seqs[b]!);
  }

  private up(i: number): void {
    const id = this.heap[i]!;
    while (i > 0) {
      const p = (i - 1) >> 1;
      const pid = this.heap[p]!;
      if (!this.before(id, pid)) break;
      this.heap[i] = pid;
      this.pos[pid] = i;
      i = p;
    }
    this.heap[i] = id;
    this.pos[id] = i;
  }

  private down(i: number): void {
    const id = this.heap[i]!;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= this.n) break;
      const r = l + 1;
      const c = r < this.n && this.before(this.heap[r]!, this.heap[l]!) ? r : l;
      const cid = this.heap[c]!;
      if (!this.before(cid, id)) break;
      this.heap[i] = cid;
      this.pos[cid] = i;
      i = c;
    }
    this.heap[i] = id;
    this.pos[id] = i;
  }

  private ensure(id: number): void {
    if (id < this.pos.length) return;
    let c = this.pos.length;
    while (c <= id) c *= 2;
    const grow = <T extends Int32Array | Float64Array>(a: T, make: (n: number) => T): T => { const b = make(c); b.set(a); return b; };
    this.heap = grow(this.heap, (k) => new Int32Array(k));
    const pos = new Int32Array(c).fill(-1);
    pos.set(this.pos);
    this.pos = pos;
    this.keys = grow(this.keys, (k) => new Float64Array(k));
    this.seqs = grow(this.seqs, (k) => new Float64Array(k));
  }
}
