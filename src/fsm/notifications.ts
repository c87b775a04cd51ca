import {
  CeaseSubcode, ErrorCode, FsmSubcode, decodeShutdownCommunication, encodeShutdownCommunication,
  type Family, type NotificationMessage,
} from '../bgp/index.js';
import type { State } from './types.js';

export function notification(code: number, subcode: number, data: Uint8Array = new Uint8Array(0)): NotificationMessage {
  return { type: 'NOTIFICATION', code, subcode, data };
}

/** RFC 6608 §3: the FSM-error subcode names the state that did not expect the message. */
export function fsmError(state: State): NotificationMessage {
  const sub = state === 'OpenSent' ? FsmSubcode.OPEN_SENT : state === 'OpenConfirm' ? FsmSubcode.OPEN_CONFIRM
    : state === 'Established' ? FsmSubcode.ESTABLISHED : FsmSubcode.UNSPECIFIED;
  return notification(ErrorCode.FSM, sub);
}

export const holdTimerExpired = (): NotificationMessage => notification(ErrorCode.HOLD_TIMER_EXPIRED, 0);

/** RFC 9687 §3: the peer did not take what we sent for the send hold time. */
export const sendHoldTimerExpired = (): NotificationMessage => notification(ErrorCode.SEND_HOLD_TIMER_EXPIRED, 0);

/** RFC 4271 §6.8: Cease / Connection Collision Resolution. */
export const collisionResolution = (): NotificationMessage => notification(ErrorCode.CEASE, CeaseSubcode.CONNECTION_COLLISION);

/** RFC 9003 §2: a length octet then at most 255 octets of UTF-8, cut on a character boundary. */
export const shutdownCommunication = encodeShutdownCommunication;

/** The text of an RFC 9003 shutdown communication, or null when the data is not a valid one. */
export function readShutdownCommunication(n: NotificationMessage): string | null {
  const r = decodeShutdownCommunication(n);
  return r && r.ok && r.value !== '' ? r.value : null;
}

export function adminShutdown(message?: string): NotificationMessage {
  return notification(ErrorCode.CEASE, CeaseSubcode.ADMINISTRATIVE_SHUTDOWN, message ? shutdownCommunication(message) : undefined);
}

/** RFC 4486 §3 Cease / Administrative Reset, with an RFC 9003 message. */
export function adminReset(message?: string): NotificationMessage {
  return notification(ErrorCode.CEASE, CeaseSubcode.ADMINISTRATIVE_RESET, message ? shutdownCommunication(message) : undefined);
}

/** RFC 8538 §3: Cease / Hard Reset carrying the code, subcode and data of the NOTIFICATION it stands for. */
export function hardReset(inner: NotificationMessage): NotificationMessage {
  const data = new Uint8Array(2 + inner.data.length);
  data[0] = inner.code;
  data[1] = inner.subcode;
  data.set(inner.data, 2);
  return notification(ErrorCode.CEASE, CeaseSubcode.HARD_RESET, data);
}

/** RFC 4486 §4: AFI (2), SAFI (1), the upper bound (4). */
export function maxPrefixesReached(family: Family, limit: number): NotificationMessage {
  const d = new Uint8Array(7);
  const v = new DataView(d.buffer);
  v.setUint16(0, family.afi);
  v.setUint8(2, family.safi);
  v.setUint32(3, limit >>> 0);
  return notification(ErrorCode.CEASE, CeaseSubcode.MAX_PREFIXES, d);
}

/** Capability codes named in the data of a 2/7 NOTIFICATION (RFC 5492 §5: code, length, value...). */
export function unsupportedCapabilityCodes(data: Uint8Array): number[] {
  const codes: number[] = [];
  for (let i = 0; i + 1 < data.length; ) {
    const code = data[i] as number;
    const len = data[i + 1] as number;
    codes.push(code);
    i += 2 + len;
  }
  return codes;
}
