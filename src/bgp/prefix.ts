import { Writer, ipv4ToString, ipv6ToString, parseIpv4, parseIpv6, u32 } from './bytes.js';
import { fail } from './errors.js';
import { AFI_IPV4 } from './types.js';

/** Where a prefix field sits, for the error its malformation gives. */
export interface PrefixFieldError { code: number; subcode: number; what: string; data?: Uint8Array }

/**
 * Decodes the prefixes of an NLRI or withdrawn-routes field (RFC 4271 §4.3, RFC 4760 §5) into
 * `out`; with `pathIds`, each prefix is preceded by an ADD-PATH identifier (RFC 7911 §3).
 */
export function decodePrefixes(
  b: Uint8Array, start: number, end: number, afi: number, out: string[], pathIds: number[] | null,
  onError: PrefixFieldError,
): void {
  const maxBits = afi === AFI_IPV4 ? 32 : 128;
  let p = start;
  while (p < end) {
    if (pathIds) {
      if (p + 4 > end) prefixFail(onError, `path identifier at offset ${p} overruns the field`);
      pathIds.push(u32(b, p));
      p += 4;
      if (p >= end) prefixFail(onError, `path identifier at offset ${p - 4} has no prefix`);
    }
    const bits = b[p]!;
    // RFC 7606 §5.3: a prefix length beyond the family's maximum makes the field malformed
    if (bits > maxBits) prefixFail(onError, `prefix length ${bits} at offset ${p} exceeds ${maxBits}`);
    const n = (bits + 7) >> 3;
    // RFC 7606 §5.3: the last prefix must not overrun the field
    if (p + 1 + n > end) prefixFail(onError, `prefix /${bits} at offset ${p} overruns the field`);
    out.push(afi === AFI_IPV4 ? ipv4Prefix(b, p + 1, n, bits) : `${ipv6ToString(b, p + 1, n)}/${bits}`);
    p += 1 + n;
  }
}

function prefixFail(e: PrefixFieldError, detail: string): never {
  return fail(e.code, e.subcode, 'session-reset', `${e.what}: ${detail}`, e.data);
}

function ipv4Prefix(b: Uint8Array, at: number, n: number, bits: number): string {
  if (n === 4) return `${ipv4ToString(b, at)}/${bits}`;
  const a0 = n > 0 ? b[at]! : 0;
  const a1 = n > 1 ? b[at + 1]! : 0;
  const a2 = n > 2 ? b[at + 2]! : 0;
  return `${a0}.${a1}.${a2}.0/${bits}`;
}

/** The family of a prefix string: 1 (IPv4) or 2 (IPv6), by the presence of a colon. */
export function prefixAfi(prefix: string): number {
  return prefix.includes(':') ? 2 : 1;
}

/** Wire size of one prefix, path identifier included. */
export function prefixSize(prefix: string, addPath: boolean): number {
  const slash = prefix.lastIndexOf('/');
  const bits = Number(prefix.slice(slash + 1));
  return (addPath ? 4 : 0) + 1 + ((bits + 7) >> 3);
}

/** Writes one prefix (and its path identifier); throws a RangeError naming the bad text. */
export function writePrefix(w: Writer, prefix: string, pathId: number | undefined): void {
  const slash = prefix.lastIndexOf('/');
  const bitsText = slash < 0 ? '' : prefix.slice(slash + 1);
  const bits = /^\d{1,3}$/.test(bitsText) ? Number(bitsText) : -1;
  const addr = slash < 0 ? prefix : prefix.slice(0, slash);
  if (pathId !== undefined) w.u32(pathId);
  if (!addr.includes(':')) {
    const v = parseIpv4(addr);
    if (v < 0 || bits < 0 || bits > 32) throw new RangeError(`not an IPv4 prefix: '${prefix}'`);
    const n = (bits + 7) >> 3;
    w.ensure(1 + n);
    w.buf[w.pos++] = bits;
    for (let i = 0; i < n; i++) w.buf[w.pos++] = (v >>> (24 - 8 * i)) & 0xff;
    return;
  }
  const bytes = parseIpv6(addr);
  if (!bytes || bits < 0 || bits > 128) throw new RangeError(`not an IPv6 prefix: '${prefix}'`);
  const n = (bits + 7) >> 3;
  w.u8(bits);
  for (let i = 0; i < n; i++) w.u8(bytes[i]!);
}
