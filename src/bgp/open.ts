import { Writer, parseIpv4 } from './bytes.js';
import { Reader } from './reader.js';
import { decodeCapability, writeCapability } from './capabilities.js';
import { AS_TRANS, BGP_VERSION, ErrorCode, OpenSubcode } from './constants.js';
import { decodeError, fail } from './errors.js';
import type { Capability, DecodeError, OpenMessage, OptionalParameter } from './types.js';

const PARAM_CAPABILITIES = 2;
/** RFC 9072 §2: Non-Ext OP Type marking the extended optional parameters length. */
const PARAM_EXTENDED = 255;

/** RFC 4271 §6.2 names no subcode for inconsistent parameter lengths: OPEN Message Error / Unspecific. */
const OPEN_FIELD = { code: ErrorCode.OPEN, subcode: OpenSubcode.UNSPECIFIC, action: 'session-reset', what: 'OPEN' } as const;

function malformed(detail: string): never {
  // RFC 4271 §6.2 names no subcode for inconsistent parameter lengths: OPEN Message Error / Unspecific
  return fail(ErrorCode.OPEN, OpenSubcode.UNSPECIFIC, 'session-reset', `OPEN: ${detail}`);
}

/** Decodes an OPEN body (RFC 4271 §4.2); `start` is just past the header, `end` the message end. */
export function decodeOpen(b: Uint8Array, start: number, end: number): OpenMessage {
  const r = new Reader(b, start, end, OPEN_FIELD);
  const version = r.u8();
  // RFC 4271 §6.2: data is the largest supported version, as a 2-octet unsigned integer
  if (version !== BGP_VERSION) fail(ErrorCode.OPEN, OpenSubcode.UNSUPPORTED_VERSION, 'session-reset', `OPEN: unsupported version ${version}`, new Uint8Array([0, BGP_VERSION]));
  const myAs = r.u16();
  const holdTime = r.u16();
  const bgpId = r.ipv4();
  let optLen = r.u8();
  let extendedParams = false;
  // RFC 9072 §2: Non-Ext OP Len 255 and type 255 announce 2-octet parameter lengths
  if (optLen === 255 && r.left > 0 && r.peek() === PARAM_EXTENDED) {
    if (r.left < 3) malformed('extended optional parameters length is truncated');
    r.skip(1);
    optLen = r.u16();
    extendedParams = true;
  }
  if (optLen !== r.left) malformed(`optional parameters length ${optLen} does not match the ${r.left} octets left`);
  const params: OptionalParameter[] = [];
  const lenSize = extendedParams ? 2 : 1;
  while (r.left > 0) {
    if (r.left < 1 + lenSize) malformed(`optional parameter at offset ${r.pos} is truncated`);
    const type = r.u8();
    const len = extendedParams ? r.u16() : r.u8();
    if (len > r.left) malformed(`optional parameter ${type} of length ${len} overruns the message`);
    const value = r.sub(len);
    if (type === PARAM_CAPABILITIES) params.push({ type: 2, capabilities: decodeCapabilities(value) });
    else params.push({ type, value: value.rest() });
  }
  const open: OpenMessage = { type: 'OPEN', version, myAs, holdTime, bgpId, params };
  if (extendedParams) open.extendedParams = true;
  return open;
}

function decodeCapabilities(r: Reader): Capability[] {
  const caps: Capability[] = [];
  while (r.left > 0) {
    // RFC 5492 §4: capability code, length, value
    if (r.left < 2) malformed(`capability at offset ${r.pos} is truncated`);
    const code = r.u8();
    const len = r.u8();
    if (len > r.left) malformed(`capability ${code} of length ${len} overruns its parameter`);
    caps.push(decodeCapability(code, r.sub(len)));
  }
  return caps;
}

/** Writes an OPEN body; switches to RFC 9072 extended lengths when asked or when needed. */
export function writeOpen(w: Writer, m: OpenMessage): void {
  w.u8(m.version);
  w.u16(m.myAs);
  w.u16(m.holdTime);
  const id = parseIpv4(m.bgpId);
  if (id < 0) throw new RangeError(`OPEN: BGP identifier is not a dotted quad: '${m.bgpId}'`);
  w.u32(id);
  const body = new Writer(64);
  const ext = m.extendedParams === true;
  for (const param of m.params) {
    body.u8(param.type);
    const at = ext ? body.mark16() : body.pos;
    if (!ext) body.u8(0);
    if ('capabilities' in param) for (const c of param.capabilities) writeCapability(body, c);
    else body.bytes(param.value);
    const len = body.pos - at - (ext ? 2 : 1);
    if (ext) body.patch16(at, len);
    else if (len > 255) throw new RangeError(`OPEN: optional parameter ${param.type} of ${len} octets needs extendedParams`);
    else body.patch8(at, len);
  }
  if (ext) {
    w.u8(255); w.u8(PARAM_EXTENDED); w.u16(body.pos);
  } else {
    if (body.pos > 255) throw new RangeError(`OPEN: optional parameters of ${body.pos} octets need extendedParams`);
    w.u8(body.pos);
  }
  w.bytes(body.buf.subarray(0, body.pos));
}

/** Every capability of every capabilities parameter, in order. */
export function openCapabilities(open: OpenMessage): Capability[] {
  const out: Capability[] = [];
  for (const p of open.params) if ('capabilities' in p) out.push(...p.capabilities);
  return out;
}

/** The sender's AS: capability 65 when present (RFC 6793 §3), else My Autonomous System. */
export function effectiveAs(open: OpenMessage): number {
  for (const c of openCapabilities(open)) if (c.name === 'four-octet-as') return c.asn;
  return open.myAs;
}

/** An OPEN for `asn`, with AS_TRANS in My Autonomous System when the AS needs 4 octets and capability 65 added. */
export function buildOpen(o: { asn: number; holdTime: number; bgpId: string; capabilities: Capability[] }): OpenMessage {
  const caps = o.capabilities.some((c) => c.name === 'four-octet-as')
    ? o.capabilities
    : [...o.capabilities, { code: 65 as const, name: 'four-octet-as' as const, asn: o.asn }];
  return {
    type: 'OPEN', version: BGP_VERSION, myAs: o.asn > 0xffff ? AS_TRANS : o.asn, holdTime: o.holdTime, bgpId: o.bgpId,
    params: [{ type: 2, capabilities: caps }],
  };
}

/**
 * The OPEN checks of RFC 4271 §6.2 that need no configuration, plus the peer AS when given;
 * null when acceptable. The FSM calls this; whether to accept is its decision.
 */
export function checkOpen(
  open: OpenMessage, expect: { peerAs?: number; localAs?: number; localBgpId?: string } = {},
): DecodeError | null {
  // RFC 4271 §6.2: hold time must be zero or at least three seconds
  if (open.holdTime === 1 || open.holdTime === 2) return decodeError(ErrorCode.OPEN, OpenSubcode.UNACCEPTABLE_HOLD_TIME, 'session-reset', `OPEN: hold time ${open.holdTime} is below 3 seconds`);
  // RFC 6286 §2.2: the BGP Identifier is a non-zero 4-octet value
  if (open.bgpId === '0.0.0.0') return decodeError(ErrorCode.OPEN, OpenSubcode.BAD_BGP_IDENTIFIER, 'session-reset', 'OPEN: BGP identifier is 0.0.0.0');
  const asn = effectiveAs(open);
  // RFC 6793 §3 / RFC 4271 §6.2: the peer's AS must be the configured one
  if (asn === 0 || (expect.peerAs !== undefined && asn !== expect.peerAs)) {
    return decodeError(ErrorCode.OPEN, OpenSubcode.BAD_PEER_AS, 'session-reset', `OPEN: peer AS ${asn} is not the expected ${expect.peerAs ?? 'non-zero AS'}`);
  }
  // RFC 6286 §2.2: within one AS the identifiers must differ
  if (expect.localBgpId === open.bgpId && (expect.localAs === undefined || expect.localAs === asn)) {
    return decodeError(ErrorCode.OPEN, OpenSubcode.BAD_BGP_IDENTIFIER, 'session-reset', `OPEN: BGP identifier ${open.bgpId} equals ours`);
  }
  for (const p of open.params) {
    // RFC 4271 §6.2: an unrecognised optional parameter gives Unsupported Optional Parameter
    if (!('capabilities' in p)) return decodeError(ErrorCode.OPEN, OpenSubcode.UNSUPPORTED_OPTIONAL_PARAMETER, 'session-reset', `OPEN: unsupported optional parameter type ${p.type}`);
  }
  return null;
}

/** RFC 5492 §3: Unsupported Capability, the data being the refused capabilities as TLVs. The FSM decides when. */
export function unsupportedCapability(caps: Capability[]): DecodeError {
  const w = new Writer(64);
  for (const c of caps) writeCapability(w, c);
  return decodeError(ErrorCode.OPEN, OpenSubcode.UNSUPPORTED_CAPABILITY, 'session-reset', `OPEN: required capabilities not supported: ${caps.map((c) => c.code).join(', ')}`, w.result());
}
