import { CeaseSubcode, ErrorCode } from './constants.js';
import type { DecodeError, NotificationMessage, Result } from './types.js';

/** RFC 9003 §2: up to 255 octets of UTF-8 after a one-octet length. */
export const MAX_SHUTDOWN_COMMUNICATION = 255;

export function buildNotification(code: number, subcode: number, data: Uint8Array = new Uint8Array(0)): NotificationMessage {
  return { type: 'NOTIFICATION', code, subcode, data };
}

/** The NOTIFICATION a decode error asks for. */
export function notificationFor(e: DecodeError): NotificationMessage {
  return buildNotification(e.code, e.subcode, e.data);
}

function carriesShutdownCommunication(n: NotificationMessage): boolean {
  return n.code === ErrorCode.CEASE && (n.subcode === CeaseSubcode.ADMINISTRATIVE_SHUTDOWN || n.subcode === CeaseSubcode.ADMINISTRATIVE_RESET);
}

/**
 * The shutdown communication of a Cease / Administrative Shutdown or Reset (RFC 9003 §2): null when
 * the NOTIFICATION carries none, an error naming the problem when it is malformed (RFC 9003 §3: log it, no NOTIFICATION).
 */
export function decodeShutdownCommunication(n: NotificationMessage): Result<string, string> | null {
  if (!carriesShutdownCommunication(n) || n.data.length === 0) return null;
  const len = n.data[0]!;
  if (len === 0) return { ok: true, value: '' };
  if (1 + len > n.data.length) {
    return { ok: false, error: `shutdown communication length ${len} exceeds the ${n.data.length - 1} octets present` };
  }
  try {
    return { ok: true, value: new TextDecoder('utf-8', { fatal: true }).decode(n.data.subarray(1, 1 + len)) };
  } catch {
    return { ok: false, error: 'shutdown communication is not valid UTF-8' };
  }
}

/** Length octet plus UTF-8 text, cut at a character boundary to at most 255 octets (RFC 9003 §2). */
export function encodeShutdownCommunication(text: string): Uint8Array {
  let bytes = new TextEncoder().encode(text);
  if (bytes.length > MAX_SHUTDOWN_COMMUNICATION) {
    let cut = MAX_SHUTDOWN_COMMUNICATION;
    while (cut > 0 && (bytes[cut]! & 0xc0) === 0x80) cut--;
    bytes = bytes.subarray(0, cut);
  }
  const out = new Uint8Array(1 + bytes.length);
  out[0] = bytes.length;
  out.set(bytes, 1);
  return out;
}

/** Cease / Administrative Shutdown (2) or Reset (4) with a shutdown communication. */
export function buildShutdown(text: string, subcode: 2 | 4 = CeaseSubcode.ADMINISTRATIVE_SHUTDOWN): NotificationMessage {
  return buildNotification(ErrorCode.CEASE, subcode, encodeShutdownCommunication(text));
}
