/**
 * One direction of a TCP connection reassembled into an in-order byte stream. Tolerates retransmissions,
 * overlaps and out-of-order segments; a hole that never fills is skipped and reported as a gap.
 */

/** Bytes delivered in order, with the timestamp and frame of the segment that completed them. */
export interface StreamChunk { bytes: Uint8Array; ts: number; frame: number; gapBefore: boolean }

interface Pending { seq: number; payload: Uint8Array; ts: number; frame: number }

const MAX_PENDING = 256;

/** Signed distance a - b in 32-bit sequence space (RFC 9293 §3.4). */
export function seqDiff(a: number, b: number): number {
  return ((a - b) | 0);
}

export class TcpStream {
  private next: number | null = null;
  private pending: Pending[] = [];
  private gap = false;
  /** Some capture rewriters put data in a SYN without counting the SYN itself: the next segment then starts one early. */
  private synDataEnd: number | null = null;
  /** True when the stream was joined mid-session (no SYN seen) or a hole was skipped. */
  unsynced = true;

  /** A SYN fixes the initial sequence number: its data (if any) starts at seq + 1. */
  syn(seq: number, payload: Uint8Array, ts: number, frame: number): StreamChunk[] {
    this.next = (seq + 1) >>> 0;
    this.pending = [];
    this.unsynced = false;
    const out = this.push(this.next, payload, ts, frame);
    this.synDataEnd = payload.length > 0 ? (seq + payload.length) >>> 0 : null;
    return out;
  }

  /** Feeds one segment; returns the bytes that became contiguous, stamped with the segment that completed them. */
  push(seq: number, payload: Uint8Array, ts: number, frame: number): StreamChunk[] {
    if (payload.length === 0) return [];
    if (this.next === null) this.next = seq;
    if (this.synDataEnd !== null && seq === this.synDataEnd && seqDiff(this.next, seq) === 1) this.next = seq;
    this.synDataEnd = null;
    const out: StreamChunk[] = [];
    this.accept({ seq, payload, ts, frame }, out);
    if (this.pending.length > MAX_PENDING) this.skipHole(ts, frame, out);
    return out;
  }

  /** At end of capture: deliver what lies beyond unfilled holes, stamped with the segments' own frames. */
  flush(): StreamChunk[] {
    const out: StreamChunk[] = [];
    for (let guard = 0; this.pending.length > 0 && guard < MAX_PENDING * 2; guard++) this.skipHole(-Infinity, 0, out);
    return out;
  }

  private accept(seg: Pending, out: StreamChunk[]): void {
    const off = seqDiff(seg.seq, this.next!);
    if (off + seg.payload.length <= 0) return; // wholly retransmitted
    if (off > 0) {
      this.pending.push(seg);
      return;
    }
    const fresh = seg.payload.subarray(-off);
    this.next = (this.next! + fresh.length) >>> 0;
    out.push({ bytes: fresh, ts: seg.ts, frame: seg.frame, gapBefore: this.gap });
    this.gap = false;
    this.drain(seg.ts, seg.frame, out);
  }

  private drain(ts: number, frame: number, out: StreamChunk[]): void {
    for (let guard = 0; guard <= MAX_PENDING * 2; guard++) {
      const i = this.pending.findIndex((p) => seqDiff(p.seq, this.next!) <= 0);
      if (i < 0) return;
      const [seg] = this.pending.splice(i, 1);
      const off = seqDiff(seg!.seq, this.next!);
      if (off + seg!.payload.length <= 0) continue;
      const fresh = seg!.payload.subarray(-off);
      this.next = (this.next! + fresh.length) >>> 0;
      // Completed when the later of the two segments arrived.
      const later = seg!.frame > frame;
      out.push({ bytes: fresh, ts: later ? seg!.ts : ts, frame: later ? seg!.frame : frame, gapBefore: this.gap });
      this.gap = false;
    }
  }

  private skipHole(ts: number, frame: number, out: StreamChunk[]): void {
    let first = this.pending[0]!;
    for (const p of this.pending) if (seqDiff(p.seq, first.seq) < 0) first = p;
    this.next = first.seq;
    this.gap = true;
    this.unsynced = true;
    this.drain(ts, frame, out);
  }
}
