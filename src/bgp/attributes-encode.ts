import { needsFourOctets, writeAsPath } from './as-path.js';
import { Writer, parseIpv4 } from './bytes.js';
import { AS_TRANS, AttrFlag, EXPECTED_FLAGS } from './constants.js';
import { writeMpReach, writeMpUnreach } from './mp.js';
import { attributeName } from './names.js';
import type { AttributeLayout, CodecContext, PathAttributes } from './types.js';

const KNOWN_ORDER = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 14, 15, 16, 17, 18, 32] as const;
const ORIGIN_CODES = { IGP: 0, EGP: 1, INCOMPLETE: 2 } as const;

type Unknown = NonNullable<PathAttributes['unknown']>[number];

/** Bit 0: AS4_PATH, bit 1: AS4_AGGREGATOR must be added for a 2-octet session (RFC 6793 §4.2.2). */
function as4Needs(a: PathAttributes, ctx: CodecContext, wire: AttributeLayout | undefined): number {
  if (ctx.fourOctetAs) return 0;
  let need = 0;
  if (!a.as4Path && !wire?.asPath && a.asPath !== undefined && needsFourOctets(a.asPath)) need |= 1;
  if (!a.as4Aggregator && a.aggregator !== undefined && a.aggregator.asn > 0xffff) need |= 2;
  return need;
}

function present(a: PathAttributes, type: number, need: number): boolean {
  switch (type) {
    case 1: return a.origin !== undefined;
    case 2: return a.asPath !== undefined;
    case 3: return a.nextHop !== undefined;
    case 4: return a.med !== undefined;
    case 5: return a.localPref !== undefined;
    case 6: return a.atomicAggregate === true;
    case 7: return a.aggregator !== undefined;
    case 8: return a.communities !== undefined;
    case 9: return a.originatorId !== undefined;
    case 10: return a.clusterList !== undefined;
    case 14: return a.mpReach !== undefined;
    case 15: return a.mpUnreach !== undefined;
    case 16: return a.extendedCommunities !== undefined;
    case 17: return a.as4Path !== undefined || (need & 1) !== 0;
    case 18: return a.as4Aggregator !== undefined || (need & 2) !== 0;
    case 32: return a.largeCommunities !== undefined;
    default: return false;
  }
}

/**
 * Writes the path attributes: in the decoded wire order and flags when `wire` is given, else in
 * type-code order (RFC 4271 §5 recommends ascending order). Unknown optional attributes without a
 * wire layout are re-sent with the Partial bit when transitive and dropped otherwise (RFC 4271 §5).
 */
export function writeAttributes(w: Writer, a: PathAttributes, ctx: CodecContext, wire?: AttributeLayout): void {
  const need = as4Needs(a, ctx, wire);
  const unknown = a.unknown;
  if (wire) {
    const done = new Set<number>();
    for (const { typeCode, flags } of wire.order) {
      if (done.has(typeCode)) continue;
      done.add(typeCode);
      const u = unknown?.find((x) => x.typeCode === typeCode);
      if (u) writeRaw(w, typeCode, flags, u.value);
      else if (present(a, typeCode, need)) writeKnown(w, typeCode, flags, a, ctx, wire);
    }
    for (const t of KNOWN_ORDER) {
      if (!done.has(t) && present(a, t, need)) writeKnown(w, t, undefined, a, ctx, wire);
    }
    for (const u of unknown ?? []) if (!done.has(u.typeCode)) writeUnknown(w, u);
    return;
  }
  let ui = 0;
  const sorted = unknown && unknown.length > 1 ? [...unknown].sort((x, y) => x.typeCode - y.typeCode) : unknown;
  for (const t of KNOWN_ORDER) {
    while (sorted && ui < sorted.length && sorted[ui]!.typeCode < t) writeUnknown(w, sorted[ui++]!);
    if (present(a, t, need)) writeKnown(w, t, undefined, a, ctx, undefined);
  }
  while (sorted && ui < sorted.length) writeUnknown(w, sorted[ui++]!);
}

function writeUnknown(w: Writer, u: Unknown): void {
  if ((u.flags & AttrFlag.OPTIONAL) === 0) return;
  if ((u.flags & AttrFlag.TRANSITIVE) === 0) return;
  writeRaw(w, u.typeCode, (u.flags | AttrFlag.PARTIAL) & ~AttrFlag.EXTENDED_LENGTH, u.value);
}

function writeRaw(w: Writer, type: number, flags: number, value: Uint8Array): void {
  const start = beginAttribute(w, flags);
  w.bytes(value);
  endAttribute(w, start, type, flags);
}

function writeKnown(
  w: Writer, type: number, flags: number | undefined, a: PathAttributes, ctx: CodecContext, wire: AttributeLayout | undefined,
): void {
  const f = flags ?? EXPECTED_FLAGS[type]!;
  const start = beginAttribute(w, f);
  writeValue(w, a, type, ctx, wire);
  endAttribute(w, start, type, f);
}

/** Reserves the attribute header: 4 octets with the extended-length bit, else 3. */
function beginAttribute(w: Writer, flags: number): number {
  const start = w.pos;
  const size = flags & AttrFlag.EXTENDED_LENGTH ? 4 : 3;
  w.ensure(size);
  w.pos += size;
  return start;
}

/** Fills in flags, type and length; a value over 255 octets gets the extended-length bit (the value moves up one octet). */
function endAttribute(w: Writer, start: number, type: number, flags: number): void {
  let hdr = flags & AttrFlag.EXTENDED_LENGTH ? 4 : 3;
  const len = w.pos - start - hdr;
  if (len > 0xffff) throw new RangeError(`${attributeName(type)} value of ${len} octets exceeds 65535`);
  let f = flags;
  if (hdr === 3 && len > 255) {
    w.ensure(1);
    w.buf.copyWithin(start + 4, start + 3, w.pos);
    w.pos++;
    hdr = 4;
    f |= AttrFlag.EXTENDED_LENGTH;
  }
  const b = w.buf;
  b[start] = f;
  b[start + 1] = type;
  if (hdr === 4) w.patch16(start + 2, len);
  else b[start + 2] = len;
}

function ipv4(text: string, what: string): number {
  const v = parseIpv4(text);
  if (v < 0) throw new RangeError(`${what} is not an IPv4 address: '${text}'`);
  return v;
}

function writeValue(w: Writer, a: PathAttributes, type: number, ctx: CodecContext, wire: AttributeLayout | undefined): void {
  const asSize = ctx.fourOctetAs ? 4 : 2;
  switch (type) {
    case 1: return w.u8(ORIGIN_CODES[a.origin!]);
    case 2: return writeAsPath(w, (asSize === 2 && wire?.asPath) || a.asPath!, asSize);
    case 3: return w.u32(ipv4(a.nextHop!, 'NEXT_HOP'));
    case 4: return w.u32(a.med!);
    case 5: return w.u32(a.localPref!);
    case 6: return;
    case 7: {
      const g = a.aggregator!;
      if (asSize === 4) w.u32(g.asn);
      else w.u16(g.asn > 0xffff ? AS_TRANS : g.asn);
      return w.u32(ipv4(g.address, 'AGGREGATOR address'));
    }
    case 8: for (const c of a.communities!) w.u32(c); return;
    case 9: return w.u32(ipv4(a.originatorId!, 'ORIGINATOR_ID'));
    case 10: for (const c of a.clusterList!) w.u32(ipv4(c, 'CLUSTER_LIST entry')); return;
    case 14: return writeMpReach(w, a.mpReach!, ctx);
    case 15: return writeMpUnreach(w, a.mpUnreach!, ctx);
    case 16: for (const c of a.extendedCommunities!) w.bytes(c); return;
    case 17: return writeAsPath(w, a.as4Path ?? a.asPath!, 4);
    case 18: {
      const g = a.as4Aggregator ?? a.aggregator!;
      w.u32(g.asn);
      return w.u32(ipv4(g.address, 'AS4_AGGREGATOR address'));
    }
    case 32: for (const [x, y, z] of a.largeCommunities!) { w.u32(x); w.u32(y); w.u32(z); } return;
  }
}
