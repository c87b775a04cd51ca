import ipaddr from 'ipaddr.js';

/** A growable big-endian byte writer. */
export class Writer {
  buf: Uint8Array;
  pos = 0;

  constructor(size = 256) {
    this.buf = new Uint8Array(size);
  }

  reset(): this {
    this.pos = 0;
    return this;
  }

  ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
  }

  u8(v: number): void {
    this.ensure(1);
    this.buf[this.pos++] = v;
  }

  u16(v: number): void {
    this.ensure(2);
    this.buf[this.pos++] = v >>> 8;
    this.buf[this.pos++] = v;
  }

  u32(v: number): void {
    this.ensure(4);
    this.buf[this.pos++] = v >>> 24;
    this.buf[this.pos++] = v >>> 16;
    this.buf[this.pos++] = v >>> 8;
    this.buf[this.pos++] = v;
  }

  bytes(b: Uint8Array): void {
    this.ensure(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
  }

  /** Writes a 2-octet placeholder and returns its offset for `patch16`. */
  mark16(): number {
    this.u16(0);
    return this.pos - 2;
  }

  patch16(at: number, v: number): void {
    this.buf[at] = v >>> 8;
    this.buf[at + 1] = v;
  }

  patch8(at: number, v: number): void {
    this.buf[at] = v;
  }

  /** A copy of what was written. */
  result(): Uint8Array {
    return this.buf.slice(0, this.pos);
  }
}

/** Four octets at `at` as a dotted quad; decoders call it through Reader.ipv4(), which checks the bounds. */
export function ipv4ToString(b: Uint8Array, at: number): string {
  return `${b[at]}.${b[at + 1]}.${b[at + 2]}.${b[at + 3]}`;
}

/** Parses a dotted quad into a 32-bit unsigned number; -1 when it is not one. */
export function parseIpv4(s: string): number {
  let value = 0;
  let part = 0;
  let digits = 0;
  let dots = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 46) {
      if (digits === 0 || part > 255) return -1;
      value = value * 256 + part;
      part = 0;
      digits = 0;
      dots++;
    } else if (c >= 48 && c <= 57) {
      part = part * 10 + (c - 48);
      digits++;
      if (digits > 3) return -1;
    } else {
      return -1;
    }
  }
  if (dots !== 3 || digits === 0 || part > 255) return -1;
  return value * 256 + part;
}

/** An IPv6 address (16 octets at `at`, only `len` of them present, rest zero) in RFC 5952 form. */
export function ipv6ToString(b: Uint8Array, at: number, len = 16): string {
  const bytes = new Array<number>(16).fill(0);
  for (let i = 0; i < len; i++) bytes[i] = b[at + i]!;
  return ipaddr.fromByteArray(bytes).toString();
}

/** The 16 octets of an IPv6 address, or null when the text is not one. */
export function parseIpv6(s: string): number[] | null {
  if (!ipaddr.IPv6.isValid(s)) return null;
  return ipaddr.IPv6.parse(s).toByteArray();
}

export function hex(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');
}

export function fromHex(s: string): Uint8Array {
  const clean = s.replace(/[^0-9a-fA-F]/g, '');
  if (clean.length % 2 !== 0) throw new Error(`odd number of hex digits: '${s}'`);
  return new Uint8Array(Buffer.from(clean, 'hex'));
}
