import { Writer, ipv4ToString, ipv6ToString, parseIpv6 } from './bytes.js';
import { Reader } from './reader.js';
import { fail } from './errors.js';
import { AFI_IPV4 } from './types.js';

/** Where a prefix field sits, for the error its malformation gives. */
export interface PrefixFieldError { code: number; subcode: number; what: string; data?: Uint8Array }

/** Fields with at least this many prefixes get their strings built on first read. */
const LAZY_MIN = 24;

/**
 * Validates an NLRI or withdrawn-routes field (RFC 4271 §4.3, RFC 4760 §5) and returns its prefix
 * count; with `pathIds`, each prefix is preceded by an ADD-PATH identifier (RFC 7911 §3), collected there.
 */
export function scanPrefixes(r: Reader, afi: number, pathIds: number[] | null, onError: PrefixFieldError): number {
  const maxBits = afi === AFI_IPV4 ? 32 : 128;
  const start = r.pos;
  let count = 0;
  if (!pathIds) {
    // The common case, hand-written for speed (bench:codec (b)): it only walks the field the Reader
    // bounds, every index checked against its end; anything unusual goes to the checked loop below.
    const b = r.b;
    const end = r.end;
    let p = r.pos;
    while (p < end) {
      const bits = b[p]!;
      const next = p + 1 + ((bits + 7) >> 3);
      if (bits > maxBits || next > end) break;
      p = next;
      count++;
    }
    if (p === end) return count;
    r.pos = p;
  }
  const n = scanChecked(r, maxBits, pathIds, onError);
  r.pos = start; // the field is read again for its strings
  return count + n;
}

function scanChecked(r: Reader, maxBits: number, pathIds: number[] | null, onError: PrefixFieldError): number {
  let count = 0;
  while (r.left > 0) {
    if (pathIds) {
      if (r.left <= 4) prefixFail(onError, `path identifier at offset ${r.pos} has no prefix after it`);
      pathIds.push(r.u32());
    }
    const bits = r.peek();
    // RFC 7606 §5.3: a prefix length beyond the family's maximum makes the field malformed
    if (bits > maxBits) prefixFail(onError, `prefix length ${bits} at offset ${r.pos} exceeds ${maxBits}`);
    const n = 1 + ((bits + 7) >> 3);
    // RFC 7606 §5.3: the last prefix must not overrun the field
    if (!r.has(n)) prefixFail(onError, `prefix /${bits} at offset ${r.pos} overruns the field`);
    r.skip(n);
    count++;
  }
  return count;
}

/** The prefix strings of a field `scanPrefixes` accepted; the field's cursor is left where it was. */
function prefixStrings(r: Reader, afi: number, addPath: boolean, count: number): string[] {
  const start = r.pos;
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    if (addPath) r.skip(4);
    const bits = r.u8();
    const n = (bits + 7) >> 3;
    const at = r.take(n);
    out.push(afi === AFI_IPV4 ? ipv4Prefix(r.b, at, n, bits) : `${ipv6ToString(r.b, at, n)}/${bits}`);
  }
  r.pos = start;
  return out;
}

/**
 * Validates a prefix field and stores its prefixes as `target[key]`. Large fields keep a copy of
 * their bytes and build the strings on first read, so validating a full UPDATE allocates no strings.
 */
export function setPrefixes<K extends string>(
  target: { [k in K]: string[] }, key: K, field: Reader, afi: number, pathIds: number[] | null, onError: PrefixFieldError,
): number {
  const count = scanPrefixes(field, afi, pathIds, onError);
  const addPath = pathIds !== null;
  if (count < LAZY_MIN) {
    target[key] = count === 0 ? [] : prefixStrings(field, afi, addPath, count);
    return count;
  }
  const copy = field.bytes(field.left);
  const settle = (obj: object, value: string[]): void => {
    Object.defineProperty(obj, key, { value, writable: true, enumerable: true, configurable: true });
  };
  Object.defineProperty(target, key, {
    enumerable: true,
    configurable: true,
    get(this: object) {
      const value = prefixStrings(new Reader(copy, 0, copy.length, onError), afi, addPath, count);
      settle(this, value);
      return value;
    },
    set(this: object, value: string[]) {
      settle(this, value);
    },
  });
  return count;
}

/** Decodes a prefix field into `out` (validating it), for callers that want the strings now. */
export function decodePrefixes(field: Reader, afi: number, out: string[], pathIds: number[] | null, onError: PrefixFieldError): void {
  const count = scanPrefixes(field, afi, pathIds, onError);
  out.push(...prefixStrings(field, afi, pathIds !== null, count));
}

function prefixFail(e: PrefixFieldError, detail: string): never {
  return fail(e.code, e.subcode, 'session-reset', `${e.what}: ${detail}`, e.data?.slice());
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

/** Parses `a.b.c.d/len` in one pass: the address, or -1 when the text is not an IPv4 prefix; the length in `parsedBits`. */
let parsedBits = 0;
function parseIpv4Prefix(s: string): number {
  let value = 0;
  let part = 0;
  let digits = 0;
  let dots = 0;
  let i = 0;
  for (; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      part = part * 10 + (c - 48);
      if (++digits > 3) return -1;
    } else if (c === 46 || c === 47) {
      if (digits === 0 || part > 255) return -1;
      value = value * 256 + part;
      part = 0;
      digits = 0;
      if (c === 47) break;
      if (++dots > 3) return -1;
    } else {
      return -1;
    }
  }
  if (dots !== 3 || i === s.length) return -1;
  let bits = 0;
  let bitDigits = 0;
  for (i++; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57 || ++bitDigits > 2) return -1;
    bits = bits * 10 + (c - 48);
  }
  if (bitDigits === 0 || bits > 32) return -1;
  parsedBits = bits;
  return value;
}

/** Writes one prefix (and its path identifier); throws a RangeError naming the bad text. */
export function writePrefix(w: Writer, prefix: string, pathId: number | undefined): void {
  if (pathId !== undefined) w.u32(pathId);
  const v = parseIpv4Prefix(prefix);
  if (v >= 0) {
    const bits = parsedBits;
    const n = (bits + 7) >> 3;
    w.ensure(1 + n);
    const b = w.buf;
    let p = w.pos;
    b[p++] = bits;
    for (let i = 0; i < n; i++) b[p++] = (v >>> (24 - 8 * i)) & 0xff;
    w.pos = p;
    return;
  }
  const slash = prefix.lastIndexOf('/');
  const bitsText = slash < 0 ? '' : prefix.slice(slash + 1);
  const bits = /^\d{1,3}$/.test(bitsText) ? Number(bitsText) : -1;
  const bytes = slash < 0 ? null : parseIpv6(prefix.slice(0, slash));
  if (!bytes || bits < 0 || bits > 128) throw new RangeError(`not an IPv4 or IPv6 prefix: '${prefix}'`);
  const n = (bits + 7) >> 3;
  w.u8(bits);
  for (let i = 0; i < n; i++) w.u8(bytes[i]!);
}
