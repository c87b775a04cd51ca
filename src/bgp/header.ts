import { Writer } from './bytes.js';
import { ErrorCode, HEADER_LENGTH, HeaderSubcode, MAX_EXTENDED_MESSAGE_LENGTH, MAX_MESSAGE_LENGTH } from './constants.js';
import { decodeError } from './errors.js';
import type { CodecContext, DecodeError } from './types.js';

/** Smallest length of each message type (RFC 4271 §4.2-4.4); ROUTE-REFRESH lengths are judged with its subtype. */
const MIN_LENGTH = [0, 29, 23, 21, 19, 19];
const TYPE_NAMES = ['', 'OPEN', 'UPDATE', 'NOTIFICATION', 'KEEPALIVE', 'ROUTE-REFRESH'];
/** RFC 4271 §6.1: fewer octets than a header is Bad Message Length. */
const SHORT_HEADER = { code: ErrorCode.MESSAGE_HEADER, subcode: HeaderSubcode.BAD_MESSAGE_LENGTH, action: 'session-reset', what: 'header' } as const;

export function maxMessageLength(ctx: CodecContext): number {
  return ctx.extendedMessage ? MAX_EXTENDED_MESSAGE_LENGTH : MAX_MESSAGE_LENGTH;
}

/**
 * Checks the 19-octet header at `at` (RFC 4271 §4.1, §6.1) and returns its length and type, or the
 * header error. Fewer than 19 octets at `at` is Bad Message Length.
 */
export function checkHeader(b: Uint8Array, at: number, maxLength: number): { length: number; type: number } | DecodeError {
  // A fixed layout (DESIGN.md): one bounds check for all 19 octets, then direct reads (the framer's hot path)
  if (at < 0 || b.length - at < HEADER_LENGTH) return decodeError(SHORT_HEADER.code, SHORT_HEADER.subcode, SHORT_HEADER.action, `header: ${b.length - at} octets, a header needs ${HEADER_LENGTH}`);
  for (let i = 0; i < 16; i++) {
    const octet = b[at + i]!;
    // RFC 4271 §6.1: a marker not all ones is Connection Not Synchronized
    if (octet !== 0xff) return decodeError(ErrorCode.MESSAGE_HEADER, HeaderSubcode.CONNECTION_NOT_SYNCHRONIZED, 'session-reset', `header: marker octet ${i} is 0x${octet.toString(16)}, not 0xff`);
  }
  const length = (b[at + 16]! << 8) | b[at + 17]!;
  const type = b[at + 18]!;
  // RFC 4271 §6.1: Bad Message Length, data is the erroneous Length field
  if (length < HEADER_LENGTH || length > maxLength) {
    return decodeError(ErrorCode.MESSAGE_HEADER, HeaderSubcode.BAD_MESSAGE_LENGTH, 'session-reset', `header: length ${length} is outside ${HEADER_LENGTH}..${maxLength}`, b.slice(at + 16, at + 18));
  }
  // RFC 4271 §6.1: Bad Message Type, data is the erroneous Type field
  if (type < 1 || type > 5) return decodeError(ErrorCode.MESSAGE_HEADER, HeaderSubcode.BAD_MESSAGE_TYPE, 'session-reset', `header: unknown message type ${type}`, b.slice(at + 18, at + 19));
  // RFC 4271 §6.1: a length too small for the type, or a KEEPALIVE longer than 19 (ROUTE-REFRESH: see decodeMessage)
  if (length < MIN_LENGTH[type]! || (type === 4 && length !== HEADER_LENGTH)) {
    return decodeError(ErrorCode.MESSAGE_HEADER, HeaderSubcode.BAD_MESSAGE_LENGTH, 'session-reset', `header: length ${length} is not valid for a ${TYPE_NAMES[type]}`, b.slice(at + 16, at + 18));
  }
  return { length, type };
}

export function isDecodeError(v: object): v is DecodeError {
  return 'action' in v;
}

/** Writes a header with a length placeholder; `finishHeader` fills it in. */
export function startHeader(w: Writer, type: number): number {
  const start = w.pos;
  w.ensure(HEADER_LENGTH);
  w.buf.fill(0xff, w.pos, w.pos + 16);
  w.pos += 16;
  w.u16(0);
  w.u8(type);
  return start;
}

export function finishHeader(w: Writer, start: number, maxLength: number): void {
  const length = w.pos - start;
  if (length > maxLength) throw new RangeError(`message of ${length} octets exceeds the maximum of ${maxLength}`);
  w.patch16(start + 16, length);
}
