import { ErrorCode, UpdateSubcode } from './constants.js';
import { Writer, hex, parseIpv4, parseIpv6 } from './bytes.js';
import type { Reader } from './reader.js';
import { fail } from './errors.js';
import { setPrefixes, writePrefix } from './prefix.js';
import { AFI_IPV4, AFI_IPV6, type CodecContext, type Family, type MpReach, type MpUnreach } from './types.js';

/** IPv4/IPv6 unicast and multicast: the families whose NLRI we interpret. */
export function isInterpreted(afi: number, safi: number): boolean {
  return (afi === AFI_IPV4 || afi === AFI_IPV6) && (safi === 1 || safi === 2);
}

export function hasFamily(list: Family[] | undefined, afi: number, safi: number): boolean {
  if (!list) return false;
  for (const f of list) if (f.afi === afi && f.safi === safi) return true;
  return false;
}

// RFC 7606 §7.11: a malformed MP_REACH_NLRI / MP_UNREACH_NLRI resets the session, Optional Attribute Error
function mpFail(attr: Uint8Array, detail: string): never {
  return fail(ErrorCode.UPDATE, UpdateSubcode.OPTIONAL_ATTRIBUTE, 'session-reset', detail, attr.slice());
}

/** Decodes an MP_REACH_NLRI value (RFC 4760 §3); `attr` is the whole attribute, the error's data. */
export function decodeMpReach(r: Reader, ctx: CodecContext, attr: Uint8Array): MpReach {
  if (r.left < 5) mpFail(attr, `MP_REACH_NLRI: length ${r.left} is below 5`);
  const afi = r.u16();
  const safi = r.u8();
  const nhLen = r.u8();
  if (nhLen + 1 > r.left) mpFail(attr, `MP_REACH_NLRI: next hop length ${nhLen} overruns the attribute`);
  const nh = r.sub(nhLen);
  r.skip(1); // RFC 4760 §3: Reserved
  if (!isInterpreted(afi, safi)) {
    const nextHop = nh.rest();
    return { afi, safi, nextHops: [hex(nextHop)], nlri: [], raw: { nextHop, nlri: r.rest() } };
  }
  let nextHops: string[];
  // RFC 4760 §3 and RFC 8950 §3: 4 (IPv4), 16 (global) or 32 (global + link-local) octets
  if (nhLen === 4) nextHops = [nh.ipv4()];
  else if (nhLen === 16) nextHops = [nh.ipv6()];
  else if (nhLen === 32) nextHops = [nh.ipv6(), nh.ipv6()];
  else return mpFail(attr, `MP_REACH_NLRI: next hop length ${nhLen} is not 4, 16 or 32`);
  const out: MpReach = { afi, safi, nextHops, nlri: [] };
  const pathIds = hasFamily(ctx.addPathReceive, afi, safi) ? [] : null;
  setPrefixes(out, 'nlri', r, afi, pathIds, { code: ErrorCode.UPDATE, subcode: UpdateSubcode.OPTIONAL_ATTRIBUTE, what: 'MP_REACH_NLRI', data: attr });
  if (pathIds) out.pathIds = pathIds;
  return out;
}

/** Decodes an MP_UNREACH_NLRI value (RFC 4760 §4). */
export function decodeMpUnreach(r: Reader, ctx: CodecContext, attr: Uint8Array): MpUnreach {
  if (r.left < 3) mpFail(attr, `MP_UNREACH_NLRI: length ${r.left} is below 3`);
  const afi = r.u16();
  const safi = r.u8();
  if (!isInterpreted(afi, safi)) {
    const out: MpUnreach = { afi, safi, withdrawn: [] };
    if (r.left > 0) out.raw = r.rest();
    return out;
  }
  const out: MpUnreach = { afi, safi, withdrawn: [] };
  const pathIds = hasFamily(ctx.addPathReceive, afi, safi) ? [] : null;
  setPrefixes(out, 'withdrawn', r, afi, pathIds, { code: ErrorCode.UPDATE, subcode: UpdateSubcode.OPTIONAL_ATTRIBUTE, what: 'MP_UNREACH_NLRI', data: attr });
  if (pathIds) out.pathIds = pathIds;
  return out;
}

function writeNextHop(w: Writer, text: string): void {
  const v4 = parseIpv4(text);
  if (v4 >= 0) return w.u32(v4);
  const v6 = parseIpv6(text);
  if (!v6) throw new RangeError(`MP_REACH_NLRI: next hop is not an address: '${text}'`);
  for (const x of v6) w.u8(x);
}

export function writeMpReach(w: Writer, m: MpReach, ctx: CodecContext): void {
  w.u16(m.afi);
  w.u8(m.safi);
  if (m.raw) {
    w.u8(m.raw.nextHop.length);
    w.bytes(m.raw.nextHop);
    w.u8(0);
    w.bytes(m.raw.nlri);
    return;
  }
  const lenAt = w.pos;
  w.u8(0);
  for (const nh of m.nextHops) writeNextHop(w, nh);
  w.patch8(lenAt, w.pos - lenAt - 1);
  w.u8(0);
  const ids = hasFamily(ctx.addPathSend, m.afi, m.safi) ? m.pathIds ?? [] : null;
  m.nlri.forEach((p, i) => writePrefix(w, p, ids ? ids[i] ?? 0 : undefined));
}

export function writeMpUnreach(w: Writer, m: MpUnreach, ctx: CodecContext): void {
  w.u16(m.afi);
  w.u8(m.safi);
  if (m.raw) return w.bytes(m.raw);
  const ids = hasFamily(ctx.addPathSend, m.afi, m.safi) ? m.pathIds ?? [] : null;
  m.withdrawn.forEach((p, i) => writePrefix(w, p, ids ? ids[i] ?? 0 : undefined));
}
