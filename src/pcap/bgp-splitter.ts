import type { StreamChunk } from './tcp-stream.js';

/** One BGP message's bytes cut from a TCP stream, stamped with the segment that completed it. */
export interface RawMessage { bytes: Uint8Array; ts: number; frame: number; truncated?: boolean }

const MARKER_LEN = 16;
const HEADER_LEN = 19;

/**
 * Cuts a reassembled TCP byte stream into BGP messages by the header's length field (RFC 4271 §4.1).
 * When joined mid-stream or after a hole, it first resynchronises on the 16-byte all-ones marker.
 */
export class BgpSplitter {
  private buf: Uint8Array = new Uint8Array(0);
  private synced: boolean;
  private framed = 0;

  constructor(synced: boolean) {
    this.synced = synced;
  }

  /** Bytes held back: an incomplete message at the end of the capture, or data skipped while unsynced. */
  get pendingBytes(): number {
    return this.buf.length;
  }

  /**
   * At the end of the capture: a message whose header was seen but whose body the capture cut short
   * (snap length, or the capture stopped), marked truncated; null when nothing of the kind is held.
   */
  finish(ts: number, frame: number): RawMessage | null {
    const start = this.synced ? 0 : findHeader(this.buf, 0);
    if (start < 0 || this.buf.length - start < HEADER_LEN) return null;
    const bytes = this.buf.slice(start);
    this.buf = new Uint8Array(0);
    return { bytes, ts, frame, truncated: true };
  }

  push(chunk: StreamChunk): RawMessage[] {
    if (chunk.gapBefore) {
      this.buf = new Uint8Array(0);
      this.synced = false;
    }
    this.buf = concat(this.buf, chunk.bytes);
    const out: RawMessage[] = [];
    let pos = 0;
    for (let guard = 0; guard <= this.buf.length; guard++) {
      if (!this.synced) {
        const found = findHeader(this.buf, pos);
        if (found < 0) {
          pos = Math.max(pos, this.buf.length - (HEADER_LEN - 1));
          break;
        }
        pos = found;
        this.synced = true;
      }
      if (this.buf.length - pos < HEADER_LEN) break;
      if (this.framed === 0 && !hasMarker(this.buf, pos)) {
        // The first message of a stream must start with the marker; otherwise look for one (as tshark does).
        this.synced = false;
        pos++;
        continue;
      }
      this.framed++;
      const length = (this.buf[pos + 16]! << 8) | this.buf[pos + 17]!;
      if (length < HEADER_LEN) {
        // A length the header rules out (RFC 4271 §6.1): hand over the header alone, then look for a marker.
        out.push({ bytes: this.buf.slice(pos, pos + HEADER_LEN), ts: chunk.ts, frame: chunk.frame });
        pos += HEADER_LEN;
        this.synced = false;
        continue;
      }
      if (this.buf.length - pos < length) break;
      out.push({ bytes: this.buf.subarray(pos, pos + length), ts: chunk.ts, frame: chunk.frame });
      pos += length;
    }
    this.buf = this.buf.slice(pos);
    return out;
  }
}

/** Offset of the next plausible header: 16 × 0xff, a length of at least 19, a type 1–5; -1 if none. */
export function findHeader(buf: Uint8Array, from: number): number {
  let run = 0;
  for (let i = from; i < buf.length; i++) {
    if (buf[i] === 0xff) {
      run++;
      continue;
    }
    if (run >= MARKER_LEN) {
      const start = i - MARKER_LEN;
      if (start + HEADER_LEN > buf.length) return -1;
      const length = (buf[start + 16]! << 8) | buf[start + 17]!;
      const type = buf[start + 18]!;
      if (length >= HEADER_LEN && type >= 1 && type <= 5) return start;
    }
    run = 0;
  }
  return -1;
}

function hasMarker(buf: Uint8Array, at: number): boolean {
  for (let i = 0; i < MARKER_LEN; i++) if (buf[at + i] !== 0xff) return false;
  return true;
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  if (a.length === 0) return b;
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}
