import { decodeShutdownCommunication, encodeShutdownCommunication, type Family, type NotificationMessage } from '../bgp/index.js';
import type { State } from './types.js';

export const ERR_HEADER = 1;
export const ERR_OPEN = 2;
export const ERR_UPDATE = 3;
export const ERR_HOLD = 4;
export const ERR_FSM = 5;
export const ERR_CEASE = 6;

export const OPEN_UNSUPPORTED_VERSION = 1;
export const OPEN_BAD_PEER_AS = 2;
export const OPEN_BAD_BGP_ID = 3;
export const OPEN_UNSUPPORTED_PARAM = 4;
export const OPEN_BAD_HOLD = 6;
export const OPEN_UNSUPPORTED_CAPABILITY = 7;

export const CEASE_MAX_PREFIXES = 1;
export const CEASE_ADMIN_SHUTDOWN = 2;
export const CEASE_PEER_DECONFIGURED = 3;
export const CEASE_ADMIN_RESET = 4;
export const CEASE_COLLISION = 7;

export function notification(code: number, subcode: number, data: Uint8Array = new Uint8Array(0)): NotificationMessage {
  return { type: 'NOTIFICATION', code, subcode, data };
}

/** RFC 6608 §3: the FSM-error subcode names the state that did not expect the message. */
export function fsmError(state: State): NotificationMessage {
  const sub = state === 'OpenSent' ? 1 : state === 'OpenConfirm' ? 2 : state === 'Established' ? 3 : 0;
  return notification(ERR_FSM, sub);
}

export const holdTimerExpired = (): NotificationMessage => notification(ERR_HOLD, 0);

/** RFC 9003 §2: a length octet then at most 255 octets of UTF-8, cut on a character boundary. */
export const shutdownCommunication = encodeShutdownCommunication;

/** The text of an RFC 9003 shutdown communication, or null when the data is not a valid one. */
export function readShutdownCommunication(n: NotificationMessage): string | null {
  const r = decodeShutdownCommunication(n);
  return r && r.ok && r.value !== '' ? r.value : null;
}

export function adminShutdown(message?: string): NotificationMessage {
  return notification(ERR_CEASE, CEASE_ADMIN_SHUTDOWN, message ? shutdownCommunication(message) : undefined);
}

/** RFC 4486 §4: AFI (2), SAFI (1), the upper bound (4). */
export function maxPrefixesReached(family: Family, limit: number): NotificationMessage {
  const d = new Uint8Array(7);
  const v = new DataView(d.buffer);
  v.setUint16(0, family.afi);
  v.setUint8(2, family.safi);
  v.setUint32(3, limit >>> 0);
  return notification(ERR_CEASE, CEASE_MAX_PREFIXES, d);
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
