/**
 * The BFD control packet (RFC 5880 §4.1) without authentication, and the reception checks that
 * need no session (§6.8.6). Pure. The packets vipd sends are built by the native thread
 * (native/bfd-packet.c); this codec is the reference its tests cross-check, and what test senders use.
 */

/** RFC 5880 §4.1 State (Sta). */
export const BFD_STATES = ['AdminDown', 'Down', 'Init', 'Up'] as const;
export type BfdState = (typeof BFD_STATES)[number];

/** RFC 5880 §4.1 Diagnostic codes 0-8. */
export const BFD_DIAGS = [
  'No Diagnostic', 'Control Detection Time Expired', 'Echo Function Failed', 'Neighbor Signaled Session Down',
  'Forwarding Plane Reset', 'Path Down', 'Concatenated Path Down', 'Administratively Down', 'Reverse Concatenated Path Down',
] as const;

export const BFD_CONTROL_LENGTH = 24;

export interface BfdControl {
  version: number;
  diag: number;
  state: BfdState;
  poll: boolean; final: boolean; cpi: boolean; auth: boolean; demand: boolean; multipoint: boolean;
  detectMult: number;
  length: number;
  myDisc: number;
  yourDisc: number;
  /** Microseconds, as on the wire. */
  desiredMinTx: number;
  requiredMinRx: number;
  requiredMinEchoRx: number;
}

export type Decoded = { ok: true; value: BfdControl } | { ok: false; error: string };

const FLAG_BITS = [['poll', 0x20], ['final', 0x10], ['cpi', 0x08], ['auth', 0x04], ['demand', 0x02], ['multipoint', 0x01]] as const;

export function bfdDiagName(code: number): string {
  return BFD_DIAGS[code] ?? `diagnostic ${code}`;
}

/** The flags octet below the state (P F C A D M), as the C side keeps it. */
export function flagsOctet(c: Pick<BfdControl, 'poll' | 'final' | 'cpi' | 'auth' | 'demand' | 'multipoint'>): number {
  return FLAG_BITS.reduce((acc, [k, bit]) => (c[k] ? acc | bit : acc), 0);
}

export function encodeControl(c: BfdControl): Uint8Array {
  const b = new Uint8Array(BFD_CONTROL_LENGTH);
  const v = new DataView(b.buffer);
  b[0] = ((c.version & 7) << 5) | (c.diag & 0x1f);
  b[1] = (BFD_STATES.indexOf(c.state) << 6) | flagsOctet(c);
  b[2] = c.detectMult & 0xff;
  b[3] = BFD_CONTROL_LENGTH;
  v.setUint32(4, c.myDisc >>> 0);
  v.setUint32(8, c.yourDisc >>> 0);
  v.setUint32(12, c.desiredMinTx >>> 0);
  v.setUint32(16, c.requiredMinRx >>> 0);
  v.setUint32(20, c.requiredMinEchoRx >>> 0);
  return b;
}

export function decodeControl(b: Uint8Array): Decoded {
  if (b.length < BFD_CONTROL_LENGTH) return { ok: false, error: `${b.length} octets, a control packet has at least 24` };
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const f = b[1] as number;
  const value: BfdControl = {
    version: (b[0] as number) >> 5, diag: (b[0] as number) & 0x1f, state: BFD_STATES[f >> 6] as BfdState,
    poll: (f & 0x20) !== 0, final: (f & 0x10) !== 0, cpi: (f & 0x08) !== 0,
    auth: (f & 0x04) !== 0, demand: (f & 0x02) !== 0, multipoint: (f & 0x01) !== 0,
    detectMult: b[2] as number, length: b[3] as number,
    myDisc: v.getUint32(4), yourDisc: v.getUint32(8),
    desiredMinTx: v.getUint32(12), requiredMinRx: v.getUint32(16), requiredMinEchoRx: v.getUint32(20),
  };
  // RFC 5880 §6.8.6, in its order
  if (value.version !== 1) return { ok: false, error: `version ${value.version}, not 1` };
  if (value.length < (value.auth ? 26 : 24) || value.length > b.length) return { ok: false, error: `length field ${value.length} does not fit` };
  if (value.detectMult === 0) return { ok: false, error: 'Detect Mult is zero' };
  if (value.multipoint) return { ok: false, error: 'Multipoint (M) bit set' };
  if (value.myDisc === 0) return { ok: false, error: 'My Discriminator is zero' };
  if (value.auth) return { ok: false, error: 'authentication present but none configured' };
  return { ok: true, value };
}
