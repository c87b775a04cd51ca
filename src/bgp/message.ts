import { Writer } from './bytes.js';
import { Reader } from './reader.js';
import { ErrorCode, HEADER_LENGTH, HeaderSubcode, RouteRefreshErrorSubcode, RouteRefreshSubtype } from './constants.js';
import { CodecFailure, decodeError } from './errors.js';
import { checkHeader, finishHeader, isDecodeError, maxMessageLength, startHeader } from './header.js';
import { decodeOpen, writeOpen } from './open.js';
import { decodeUpdate, writeUpdate } from './update.js';
import type { BgpMessage, CodecContext, DecodeError, Result } from './types.js';

/** Decodes one whole message, header included. Never throws: every failure is a DecodeError. */
export function decodeMessage(bytes: Uint8Array, ctx: CodecContext): Result<BgpMessage, DecodeError> {
  try {
    return { ok: true, value: decode(bytes, ctx) };
  } catch (e) {
    if (e instanceof CodecFailure) return { ok: false, error: e.error };
    const why = e instanceof Error ? e.message : String(e);
    return { ok: false, error: decodeError(0, 0, 'session-reset', `internal decoder error: ${why}`) };
  }
}

/** RFC 4271 §6.1: a body shorter than its type needs is Bad Message Length (the header checks catch it first). */
const BODY_TOO_SHORT = { code: ErrorCode.MESSAGE_HEADER, subcode: HeaderSubcode.BAD_MESSAGE_LENGTH, action: 'session-reset', what: 'message body' } as const;

function decode(b: Uint8Array, ctx: CodecContext): BgpMessage {
  // RFC 4271 §6.1: fewer octets than a header, or than the header's Length, is Bad Message Length
  if (b.length < HEADER_LENGTH) throw new CodecFailure(decodeError(ErrorCode.MESSAGE_HEADER, HeaderSubcode.BAD_MESSAGE_LENGTH, 'session-reset', `message of ${b.length} octets is shorter than a header`));
  const h = checkHeader(b, 0, maxMessageLength(ctx));
  if (isDecodeError(h)) throw new CodecFailure(h);
  const lengthField = (): Uint8Array => b.slice(16, 18);
  if (h.length !== b.length) {
    throw new CodecFailure(decodeError(ErrorCode.MESSAGE_HEADER, HeaderSubcode.BAD_MESSAGE_LENGTH, 'session-reset', `header length ${h.length} does not match the ${b.length} octets given`, lengthField()));
  }
  const { length, type } = h;
  if (type === 5 && length !== 23) {
    // RFC 7313 §5: a BoRR/EoRR of the wrong length is ROUTE-REFRESH / Invalid Message Length, data the message
    const subtype = length >= 22 ? new Reader(b, 21, 22, BODY_TOO_SHORT).u8() : -1;
    if (subtype === RouteRefreshSubtype.BORR || subtype === RouteRefreshSubtype.EORR) throw new CodecFailure(decodeError(ErrorCode.ROUTE_REFRESH, RouteRefreshErrorSubcode.INVALID_MESSAGE_LENGTH, 'session-reset', `ROUTE-REFRESH: length ${length} is not 23`, b.slice()));
    // RFC 4271 §6.1 / RFC 2918 §3: any other ROUTE-REFRESH must be 23 octets
    throw new CodecFailure(decodeError(ErrorCode.MESSAGE_HEADER, HeaderSubcode.BAD_MESSAGE_LENGTH, 'session-reset', `ROUTE-REFRESH: length ${length} is not 23`, lengthField()));
  }
  switch (type) {
    case 1: return decodeOpen(b, HEADER_LENGTH, length);
    case 2: return decodeUpdate(b, HEADER_LENGTH, length, ctx);
    case 3: {
      const r = new Reader(b, HEADER_LENGTH, length, BODY_TOO_SHORT);
      return { type: 'NOTIFICATION', code: r.u8(), subcode: r.u8(), data: r.rest() };
    }
    case 4: return { type: 'KEEPALIVE' };
    default: {
      const r = new Reader(b, HEADER_LENGTH, length, BODY_TOO_SHORT);
      return { type: 'ROUTE-REFRESH', afi: r.u16(), subtype: r.u8(), safi: r.u8() };
    }
  }
}

const scratch = new Writer(4096);

/**
 * Encodes one message, header included. Throws a RangeError naming the field when the message
 * cannot be encoded (bad address text, too long for the negotiated maximum).
 */
export function encodeMessage(msg: BgpMessage, ctx: CodecContext): Uint8Array {
  const w = scratch.reset();
  const start = startHeader(w, typeCode(msg));
  switch (msg.type) {
    case 'OPEN': writeOpen(w, msg); break;
    case 'UPDATE': writeUpdate(w, msg, ctx); break;
    case 'NOTIFICATION': w.u8(msg.code); w.u8(msg.subcode); w.bytes(msg.data); break;
    case 'KEEPALIVE': break;
    case 'ROUTE-REFRESH': w.u16(msg.afi); w.u8(msg.subtype); w.u8(msg.safi); break;
  }
  finishHeader(w, start, maxMessageLength(ctx));
  return w.result();
}

function typeCode(msg: BgpMessage): number {
  switch (msg.type) {
    case 'OPEN': return 1;
    case 'UPDATE': return 2;
    case 'NOTIFICATION': return 3;
    case 'KEEPALIVE': return 4;
    case 'ROUTE-REFRESH': return 5;
  }
}

export function buildKeepalive(): BgpMessage {
  return { type: 'KEEPALIVE' };
}

/** ROUTE-REFRESH (RFC 2918), subtype 1/2 for BoRR/EoRR (RFC 7313). */
export function buildRouteRefresh(afi: number, safi: number, subtype = 0): BgpMessage {
  return { type: 'ROUTE-REFRESH', afi, safi, subtype };
}
