import { HEADER_LENGTH } from './constants.js';
import { checkHeader, isDecodeError, maxMessageLength } from './header.js';
import type { CodecContext, DecodeError } from './types.js';

export interface FramerOutput {
  /** Whole messages, header included, in stream order. */
  messages: Uint8Array[];
  /** A header error (RFC 4271 §6.1); the stream cannot be resynchronised after it. */
  error?: DecodeError;
}

/**
 * Cuts a TCP byte stream into whole BGP messages, whatever the chunking (RFC 4271 §4.1).
 * Returned messages may share memory with the pushed chunks; do not reuse a chunk after pushing it.
 */
export class Framer {
  private pending: Uint8Array = new Uint8Array(0);
  private failed: DecodeError | undefined;

  constructor(private ctx: CodecContext) {}

  /** Takes effect for the next header read, e.g. once extended message is negotiated. */
  setContext(ctx: CodecContext): void {
    this.ctx = ctx;
  }

  /** Octets received but not yet part of a whole message. */
  get buffered(): number {
    return this.pending.length;
  }

  push(chunk: Uint8Array): FramerOutput {
    if (this.failed) return { messages: [], error: this.failed };
    let buf = chunk;
    if (this.pending.length > 0) {
      buf = new Uint8Array(this.pending.length + chunk.length);
      buf.set(this.pending, 0);
      buf.set(chunk, this.pending.length);
    }
    const messages: Uint8Array[] = [];
    const max = maxMessageLength(this.ctx);
    let p = 0;
    while (buf.length - p >= HEADER_LENGTH) {
      const h = checkHeader(buf, p, max);
      if (isDecodeError(h)) {
        this.failed = h;
        this.pending = new Uint8Array(0);
        return { messages, error: h };
      }
      if (buf.length - p < h.length) break;
      messages.push(buf.subarray(p, p + h.length));
      p += h.length;
    }
    this.pending = p === buf.length ? new Uint8Array(0) : buf.slice(p);
    return { messages };
  }
}
