import { ErrorCode, UpdateSubcode } from './constants.js';
import { decodeAttributes } from './attributes-decode.js';
import { writeAttributes } from './attributes-encode.js';
import type { Writer } from './bytes.js';
import { Reader } from './reader.js';
import { decodeError, fail, strongerAction } from './errors.js';
import { hasFamily } from './mp.js';
import { setPrefixes, writePrefix } from './prefix.js';
import { AFI_IPV4, SAFI_UNICAST, type CodecContext, type DecodeError, type Family, type UpdateMessage } from './types.js';

const WITHDRAWN_FIELD = { code: ErrorCode.UPDATE, subcode: UpdateSubcode.INVALID_NETWORK_FIELD, what: 'UPDATE withdrawn routes' } as const;
const NLRI_FIELD = { code: ErrorCode.UPDATE, subcode: UpdateSubcode.INVALID_NETWORK_FIELD, what: 'UPDATE NLRI' } as const;
/** RFC 4271 §6.3: the fixed fields of an UPDATE that do not fit are Malformed Attribute List. */
const BODY_FIELD = { code: ErrorCode.UPDATE, subcode: UpdateSubcode.MALFORMED_ATTRIBUTE_LIST, action: 'session-reset', what: 'UPDATE' } as const;

// Re-pointed per message (decoding is synchronous); the attribute decoder has its own
const bodyReader = new Reader(new Uint8Array(0), 0, 0, BODY_FIELD);
const withdrawnReader = new Reader(new Uint8Array(0), 0, 0, WITHDRAWN_FIELD);

/** Decodes an UPDATE body (RFC 4271 §4.3); `start` is just past the header. */
export function decodeUpdate(b: Uint8Array, start: number, end: number, ctx: CodecContext): UpdateMessage {
  const r = bodyReader.point(b, start, end);
  const wLen = r.u16();
  // RFC 4271 §6.3 / RFC 7606 §5.3: withdrawn length beyond the message is Malformed Attribute List
  if (wLen + 2 > r.left) fail(ErrorCode.UPDATE, UpdateSubcode.MALFORMED_ATTRIBUTE_LIST, 'session-reset', `UPDATE: withdrawn routes length ${wLen} overruns the message`);
  const withdrawnField = withdrawnReader.over(r, wLen);
  const aLen = r.u16();
  // RFC 4271 §6.3 / RFC 7606 §4: total attribute length beyond the message is Malformed Attribute List
  if (aLen > r.left) fail(ErrorCode.UPDATE, UpdateSubcode.MALFORMED_ATTRIBUTE_LIST, 'session-reset', `UPDATE: total path attribute length ${aLen} overruns the message`);
  const aStart = r.take(aLen);
  const aEnd = r.pos;
  const addPath = hasFamily(ctx.addPathReceive, AFI_IPV4, SAFI_UNICAST);
  const m: UpdateMessage = { type: 'UPDATE', withdrawn: [], attributes: {}, nlri: [] };
  const withdrawnIds = addPath ? [] : null;
  // RFC 7606 §5.3: a malformed withdrawn or NLRI field resets the session, Invalid Network Field
  setPrefixes(m, 'withdrawn', withdrawnField, AFI_IPV4, withdrawnIds, WITHDRAWN_FIELD);
  const { attributes, errors, wire, seen } = aLen === 0
    ? { attributes: {}, errors: [] as DecodeError[], wire: undefined, seen: 0 }
    : decodeAttributes(b, aStart, aEnd, ctx);
  m.attributes = attributes;
  const nlriIds = addPath ? [] : null;
  const nlriCount = setPrefixes(m, 'nlri', r, AFI_IPV4, nlriIds, NLRI_FIELD);
  if (withdrawnIds) m.withdrawnPathIds = withdrawnIds;
  if (nlriIds) m.nlriPathIds = nlriIds;
  if (wire) m.wire = wire;
  const reach = nlriCount > 0 || attributes.mpReach !== undefined;
  if (reach && !hasStructuralError(errors)) {
    // RFC 7606 §3(d): a missing well-known mandatory attribute is treat-as-withdraw; data is its type code
    const required = nlriCount > 0 ? 0b1110 : 0b0110;
    for (let t = 1; t <= 3 && (seen & required) !== required; t++) {
      if ((required & (1 << t)) !== 0 && (seen & (1 << t)) === 0) errors.push(decodeError(ErrorCode.UPDATE, UpdateSubcode.MISSING_WELL_KNOWN, 'treat-as-withdraw', `UPDATE: missing well-known attribute ${t}`, new Uint8Array([t])));
    }
  }
  if (errors.length > 0) {
    m.errors = errors;
    const action = errors.reduce((acc, e) => strongerAction(acc, e.action), 'attribute-discard' as DecodeError['action']);
    if (action === 'treat-as-withdraw') m.treatAsWithdraw = true;
  }
  return m;
}

/** RFC 7606 §4: after a broken attribute list, absent attributes may just be unparsed ones. */
function hasStructuralError(errors: DecodeError[]): boolean {
  for (const e of errors) if (e.subcode === 1 && e.action === 'treat-as-withdraw') return true;
  return false;
}

export function writeUpdate(w: Writer, m: UpdateMessage, ctx: CodecContext): void {
  const ids = hasFamily(ctx.addPathSend, AFI_IPV4, SAFI_UNICAST);
  const wAt = w.mark16();
  const withdrawn = m.withdrawn;
  for (let i = 0; i < withdrawn.length; i++) writePrefix(w, withdrawn[i]!, ids ? m.withdrawnPathIds?.[i] ?? 0 : undefined);
  w.patch16(wAt, w.pos - wAt - 2);
  const aAt = w.mark16();
  writeAttributes(w, m.attributes, ctx, m.wire);
  w.patch16(aAt, w.pos - aAt - 2);
  const nlri = m.nlri;
  for (let i = 0; i < nlri.length; i++) writePrefix(w, nlri[i]!, ids ? m.nlriPathIds?.[i] ?? 0 : undefined);
}

/**
 * The family an End-of-RIB marker stands for (RFC 4724 §2): an UPDATE with nothing in it is IPv4
 * unicast; one holding only an empty MP_UNREACH_NLRI is that family. Null for any other UPDATE.
 */
export function isEndOfRib(m: UpdateMessage): Family | null {
  if (m.withdrawn.length > 0 || m.nlri.length > 0) return null;
  const keys = Object.keys(m.attributes);
  if (keys.length === 0) return { afi: AFI_IPV4, safi: SAFI_UNICAST };
  const un = m.attributes.mpUnreach;
  if (keys.length === 1 && un && un.withdrawn.length === 0 && (!un.raw || un.raw.length === 0)) return { afi: un.afi, safi: un.safi };
  return null;
}

/** The End-of-RIB marker for a family (RFC 4724 §2). */
export function endOfRib(family: Family = { afi: AFI_IPV4, safi: SAFI_UNICAST }): UpdateMessage {
  if (family.afi === AFI_IPV4 && family.safi === SAFI_UNICAST) return { type: 'UPDATE', withdrawn: [], attributes: {}, nlri: [] };
  return { type: 'UPDATE', withdrawn: [], attributes: { mpUnreach: { afi: family.afi, safi: family.safi, withdrawn: [] } }, nlri: [] };
}
