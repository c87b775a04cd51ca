import { decodeAsPath, mergeAs4Path } from './as-path.js';
import { Reader } from './reader.js';
import { AS_TRANS, AttrFlag, EXPECTED_FLAGS, ErrorCode, UpdateSubcode } from './constants.js';
import { decodeError, fail } from './errors.js';
import { decodeMpReach, decodeMpUnreach } from './mp.js';
import { attributeName } from './names.js';
import type { AsPathSegment, AttributeLayout, CodecContext, DecodeError, ErrorAction, PathAttributes } from './types.js';

const ORIGINS = ['IGP', 'EGP', 'INCOMPLETE'] as const;

export interface DecodedAttributes {
  attributes: PathAttributes;
  errors: DecodeError[];
  wire: AttributeLayout | undefined;
  /** Bit n set when an attribute of type code n (< 32) was present, valid or not. */
  seen: number;
}

/**
 * Decodes the path attributes of an UPDATE (RFC 4271 §4.3) with the error handling of RFC 7606:
 * session-reset errors are thrown, the others are collected and the attribute left out.
 */
/** RFC 7606 §4: an attribute list that does not parse; the decoder's own checks collect it first, this is the floor. */
const LIST_FIELD = { code: ErrorCode.UPDATE, subcode: UpdateSubcode.MALFORMED_ATTRIBUTE_LIST, action: 'session-reset', what: 'path attributes' } as const;

const EMPTY = new Uint8Array(0);
const listReader = new Reader(EMPTY, 0, 0, LIST_FIELD);
const valueReader = new Reader(EMPTY, 0, 0, LIST_FIELD);

export function decodeAttributes(b: Uint8Array, start: number, end: number, ctx: CodecContext): DecodedAttributes {
  const r = listReader.point(b, start, end);
  const value = valueReader; // re-pointed at each attribute's value
  const a: PathAttributes = {};
  const errors: DecodeError[] = [];
  const order: number[] = []; // (type << 8) | flags, turned into objects only when the layout is kept
  let canonical = true;
  let lastType = -1;
  let seen0 = 0; // bitmask of type codes 0..31 seen
  let seenHigh: Set<number> | undefined;
  const asSize = ctx.fourOctetAs ? 4 : 2;
  while (r.left > 0) {
    const at = r.pos;
    const flags = r.peek();
    const ext = (flags & AttrFlag.EXTENDED_LENGTH) !== 0;
    const hdr = ext ? 4 : 3;
    // RFC 7606 §4: a truncated attribute header or an overrun is treat-as-withdraw, Malformed Attribute List
    if (r.left < hdr) {
      errors.push(decodeError(ErrorCode.UPDATE, UpdateSubcode.MALFORMED_ATTRIBUTE_LIST, 'treat-as-withdraw', `attribute header at offset ${at} is truncated`));
      break;
    }
    r.skip(1);
    const type = r.u8();
    const len = ext ? r.u16() : r.u8();
    if (len > r.left) {
      errors.push(decodeError(ErrorCode.UPDATE, UpdateSubcode.MALFORMED_ATTRIBUTE_LIST, 'treat-as-withdraw', `${attributeName(type)} of length ${len} overruns the attribute list`));
      break;
    }
    value.over(r, len);
    const ve = value.end;
    const bit = type < 32 ? 1 << type : 0;
    if (bit ? (seen0 & bit) !== 0 : seenHigh?.has(type) === true) {
      // RFC 7606 §3(g): a repeated MP_REACH/MP_UNREACH is Malformed Attribute List, session reset
      if (type === 14 || type === 15) fail(ErrorCode.UPDATE, UpdateSubcode.MALFORMED_ATTRIBUTE_LIST, 'session-reset', `${attributeName(type)} appears more than once`);
      // RFC 7606 §3(g): other repeats are discarded
      errors.push(decodeError(ErrorCode.UPDATE, UpdateSubcode.MALFORMED_ATTRIBUTE_LIST, 'attribute-discard', `${attributeName(type)} appears more than once; the repeat is discarded`));
      canonical = false;
      continue;
    }
    if (bit) seen0 |= bit;
    else (seenHigh ??= new Set()).add(type);
    const expected = EXPECTED_FLAGS[type];
    if (expected === undefined) {
      // RFC 4271 §6.3: an unrecognised well-known attribute is Unrecognized Well-known Attribute
      if ((flags & AttrFlag.OPTIONAL) === 0) fail(ErrorCode.UPDATE, UpdateSubcode.UNRECOGNIZED_WELL_KNOWN, 'session-reset', `unrecognised well-known attribute ${type}`, b.slice(at, ve));
      (a.unknown ??= []).push({ flags, typeCode: type, value: value.rest() });
      order.push((type << 8) | flags);
      canonical = false;
      continue;
    }
    if ((flags & 0xc0) !== expected) {
      // RFC 7606 §3(c): wrong Optional/Transitive bits make the attribute malformed, treat-as-withdraw
      errors.push(decodeError(ErrorCode.UPDATE, UpdateSubcode.ATTRIBUTE_FLAGS, 'treat-as-withdraw', `${attributeName(type)}: flags 0x${flags.toString(16)} should have Optional/Transitive 0x${expected.toString(16)}`, b.slice(at, ve)));
      // RFC 7606 §2: treat-as-withdraw needs the MP attribute's NLRI, so it is still parsed
      if (type !== 14 && type !== 15) continue;
      canonical = false;
    }
    const problem = decodeValue(a, type, b, at, value, ctx, asSize);
    if (problem) {
      errors.push(problem);
      continue;
    }
    order.push((type << 8) | flags);
    if (type < lastType || flags !== (expected | (len > 255 ? AttrFlag.EXTENDED_LENGTH : 0))) canonical = false;
    lastType = type;
  }
  const raw = ctx.fourOctetAs ? undefined : mergeAs4(a);
  const wire: AttributeLayout | undefined = canonical && !raw ? undefined : { order: order.map((x) => ({ typeCode: x >> 8, flags: x & 0xff })) };
  if (wire && raw) wire.asPath = raw;
  return { attributes: a, errors, wire, seen: seen0 };
}

/** RFC 6793 §4.2.3: a 2-octet speaker's path is rebuilt from AS_PATH and AS4_PATH; returns the raw AS_PATH. */
function mergeAs4(a: PathAttributes): AsPathSegment[] | undefined {
  if (!a.as4Path || !a.asPath) return undefined;
  // RFC 6793 §4.2.3: when AGGREGATOR carries a real AS, AS4_AGGREGATOR and AS4_PATH are ignored
  if (a.aggregator && a.aggregator.asn !== AS_TRANS && a.as4Aggregator) return undefined;
  const raw = a.asPath;
  a.asPath = mergeAs4Path(raw, a.as4Path);
  return raw;
}

/** Attribute Length Error; the data, as for most UPDATE errors, is the whole attribute (RFC 4271 §6.3). */
function lengthError(b: Uint8Array, at: number, ve: number, len: number, type: number, want: string, action: ErrorAction): DecodeError {
  return decodeError(ErrorCode.UPDATE, UpdateSubcode.ATTRIBUTE_LENGTH, action, `${attributeName(type)}: length ${len} should be ${want}`, b.slice(at, ve));
}

/** One attribute's value through `v` (its own bounds); `b.slice(at, v.end)` is the whole attribute, the errors' data. */
function decodeValue(
  a: PathAttributes, type: number, b: Uint8Array, at: number, v: Reader, ctx: CodecContext, asSize: 2 | 4,
): DecodeError | null {
  const ve = v.end;
  const len = v.left;
  switch (type) {
    case 1: {
      // RFC 7606 §7.1: ORIGIN of the wrong length or value is treat-as-withdraw
      if (len !== 1) return lengthError(b, at, ve, len, type, '1', 'treat-as-withdraw');
      const value = v.u8();
      const origin = ORIGINS[value];
      if (!origin) return decodeError(ErrorCode.UPDATE, UpdateSubcode.INVALID_ORIGIN, 'treat-as-withdraw', `ORIGIN: value ${value} is not 0, 1 or 2`, b.slice(at, ve));
      a.origin = origin;
      return null;
    }
    case 2: {
      const path = decodeAsPath(v, asSize);
      // RFC 7606 §7.2: a malformed AS_PATH is treat-as-withdraw
      if (typeof path === 'string') return decodeError(ErrorCode.UPDATE, UpdateSubcode.MALFORMED_AS_PATH, 'treat-as-withdraw', `AS_PATH: ${path}`);
      a.asPath = path;
      return null;
    }
    case 3: {
      // RFC 7606 §7.3: NEXT_HOP of length other than 4 is treat-as-withdraw
      if (len !== 4) return lengthError(b, at, ve, len, type, '4', 'treat-as-withdraw');
      const first = v.peek();
      const nextHop = v.ipv4();
      // RFC 4271 §6.3: a NEXT_HOP that cannot be a host address is Invalid NEXT_HOP Attribute
      if (first >= 224 || nextHop === '0.0.0.0') return decodeError(ErrorCode.UPDATE, UpdateSubcode.INVALID_NEXT_HOP, 'treat-as-withdraw', `NEXT_HOP: ${nextHop} is not a unicast address`, b.slice(at, ve));
      a.nextHop = nextHop;
      return null;
    }
    case 4:
    case 5:
    case 9: {
      // RFC 7606 §7.4, §7.5, §7.9: MED, LOCAL_PREF, ORIGINATOR_ID of length other than 4 are treat-as-withdraw
      if (len !== 4) return lengthError(b, at, ve, len, type, '4', 'treat-as-withdraw');
      if (type === 4) a.med = v.u32();
      else if (type === 5) a.localPref = v.u32();
      else a.originatorId = v.ipv4();
      return null;
    }
    case 6:
      // RFC 7606 §7.6: ATOMIC_AGGREGATE of nonzero length is discarded
      if (len !== 0) return lengthError(b, at, ve, len, type, '0', 'attribute-discard');
      a.atomicAggregate = true;
      return null;
    case 7:
    case 18: {
      const size = type === 18 ? 4 : asSize;
      // RFC 7606 §7.7 and RFC 6793 §6: AGGREGATOR / AS4_AGGREGATOR of the wrong length are discarded
      if (len !== size + 4) return lengthError(b, at, ve, len, type, String(size + 4), 'attribute-discard');
      const asn = size === 4 ? v.u32() : v.u16();
      const value = { asn, address: v.ipv4() };
      if (type === 7) a.aggregator = value;
      else a.as4Aggregator = value;
      return null;
    }
    case 8:
    case 10: {
      // RFC 7606 §7.8, §7.10: COMMUNITIES / CLUSTER_LIST not a non-zero multiple of 4 are treat-as-withdraw
      if (len === 0 || len % 4 !== 0) return lengthError(b, at, ve, len, type, 'a non-zero multiple of 4', 'treat-as-withdraw');
      if (type === 8) {
        const list = new Array<number>(len / 4);
        for (let i = 0; i < list.length; i++) list[i] = v.u32();
        a.communities = list;
      } else {
        const list: string[] = [];
        while (v.left > 0) list.push(v.ipv4());
        a.clusterList = list;
      }
      return null;
    }
    case 14:
      a.mpReach = decodeMpReach(v, ctx, b.subarray(at, ve));
      return null;
    case 15:
      a.mpUnreach = decodeMpUnreach(v, ctx, b.subarray(at, ve));
      return null;
    case 16: {
      // RFC 7606 §7.14: EXTENDED COMMUNITIES not a non-zero multiple of 8 are treat-as-withdraw
      if (len === 0 || len % 8 !== 0) return lengthError(b, at, ve, len, type, 'a non-zero multiple of 8', 'treat-as-withdraw');
      const list: Uint8Array[] = [];
      while (v.left > 0) list.push(v.bytes(8));
      a.extendedCommunities = list;
      return null;
    }
    case 17: {
      const path = decodeAsPath(v, 4);
      // RFC 6793 §6: a malformed AS4_PATH (or one with confederation segments) is discarded
      if (typeof path === 'string') return decodeError(ErrorCode.UPDATE, UpdateSubcode.MALFORMED_AS_PATH, 'attribute-discard', `AS4_PATH: ${path}`);
      if (path.some((s) => s.type === 'AS_CONFED_SEQUENCE' || s.type === 'AS_CONFED_SET')) {
        return decodeError(ErrorCode.UPDATE, UpdateSubcode.MALFORMED_AS_PATH, 'attribute-discard', 'AS4_PATH: carries confederation segments');
      }
      a.as4Path = path;
      return null;
    }
    case 32: {
      // RFC 8092 §5: LARGE_COMMUNITY not a non-zero multiple of 12 is treat-as-withdraw
      if (len === 0 || len % 12 !== 0) return lengthError(b, at, ve, len, type, 'a non-zero multiple of 12', 'treat-as-withdraw');
      const list: [number, number, number][] = [];
      while (v.left > 0) list.push([v.u32(), v.u32(), v.u32()]);
      a.largeCommunities = list;
      return null;
    }
    default:
      return null;
  }
}
