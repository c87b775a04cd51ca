import { ipv4ToString, ipv6ToString } from './bytes.js';
import { CodecFailure, decodeError } from './errors.js';
import type { ErrorAction } from './types.js';

/** The NOTIFICATION a field gives when a read runs past its end (DESIGN.md: every read is checked). */
export interface Underrun { code: number; subcode: number; action?: ErrorAction; what: string; data?: Uint8Array }

/**
 * A cursor over one field of a message, [pos, end). Every read checks the field's end and throws
 * that field's DecodeError (as a CodecFailure) instead of reading the next field or past the buffer.
 * Decoders check lengths themselves where the RFC names a more precise error; this is the floor.
 */
export class Reader {
  constructor(public b: Uint8Array, public pos: number, public end: number, readonly onShort: Underrun) {
    if (pos < 0 || pos > end || end > b.length) this.short(end - pos);
  }

  /**
   * Re-points this reader at [pos, end) of `b` (checked as in the constructor). Decoding is synchronous,
   * so a decoder may keep one reader per field kind and re-point it per message: no allocation.
   */
  point(b: Uint8Array, pos: number, end: number): this {
    this.b = b;
    this.pos = pos;
    this.end = end;
    if (pos < 0 || pos > end || end > b.length) this.short(end - pos);
    return this;
  }

  /** Points this reader at the next n octets of `outer` (checked there) and moves `outer` past them; no allocation. */
  over(outer: Reader, n: number): this {
    const at = outer.take(n);
    this.b = outer.b;
    this.pos = at;
    this.end = at + n;
    return this;
  }

  /** Octets left in the field. */
  get left(): number { return this.end - this.pos; }

  has(n: number): boolean { return this.pos + n <= this.end; }

  /** Checks that n octets are there, skips them and returns where they start (for reads of a checked range). */
  take(n: number): number {
    const at = this.pos;
    if (at + n > this.end || n < 0) this.short(n);
    this.pos = at + n;
    return at;
  }

  skip(n: number): void { this.take(n); }

  u8(): number {
    if (this.pos >= this.end) this.short(1);
    return this.b[this.pos++]!;
  }

  /** The octet `offset` past the cursor, without moving it. */
  peek(offset = 0): number {
    if (this.pos + offset >= this.end) this.short(offset + 1);
    return this.b[this.pos + offset]!;
  }

  u16(): number {
    const at = this.take(2);
    return (this.b[at]! << 8) | this.b[at + 1]!;
  }

  u24(): number {
    const at = this.take(3);
    return (this.b[at]! << 16) | (this.b[at + 1]! << 8) | this.b[at + 2]!;
  }

  u32(): number {
    const at = this.take(4);
    const b = this.b;
    return ((b[at]! << 24) | (b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!) >>> 0;
  }

  ipv4(): string { return ipv4ToString(this.b, this.take(4)); }

  /** An IPv6 address from `n` octets (the rest zero), RFC 5952 text. */
  ipv6(n = 16): string { return ipv6ToString(this.b, this.take(n), n); }

  /** A copy of the next n octets. */
  bytes(n: number): Uint8Array {
    const at = this.take(n);
    return this.b.slice(at, at + n);
  }

  /** A copy of what is left. */
  rest(): Uint8Array { return this.bytes(this.left); }

  /** A reader over the next n octets (checked here), with its own underrun error; this one moves past them. */
  sub(n: number, onShort: Underrun = this.onShort): Reader {
    const at = this.take(n);
    return new Reader(this.b, at, at + n, onShort);
  }

  private short(n: number): never {
    const u = this.onShort;
    throw new CodecFailure(decodeError(u.code, u.subcode, u.action ?? 'session-reset',
      `${u.what}: ${n} octet${n === 1 ? '' : 's'} needed at offset ${this.pos}, ${Math.max(0, this.end - this.pos)} left`, u.data?.slice()));
  }
}
