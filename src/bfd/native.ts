/**
 * The BFD functions of vipd's native addon (native/bfd-napi.c). The addon is loaded in one place
 * (health/monitors/native-addon.ts); the CLI hands it here, checked by `isBfdNative`.
 * States are RFC 5880's numbers: 0 AdminDown, 1 Down, 2 Init, 3 Up.
 */
export interface BfdNativeStatus {
  state: number; remoteState: number; diag: number; remoteDiag: number;
  localDisc: number; remoteDisc: number;
  /** The transmit interval in use before jitter (RFC 5880 §6.8.7), and the detection time (§6.8.4), µs. */
  txUs: number; detectUs: number;
  txCount: number; rxCount: number; upCount: number; downCount: number;
}

/** realtime: 1 when the BFD thread runs SCHED_FIFO (else at the lowest nice it may take). */
export interface BfdNativeCounters { badTtl: number; invalid: number; noSession: number; rxSockets: number; realtime: number }

/** Fields as native/bfd-codec-js.c names them (flags = the P F C A D M octet). */
export interface BfdNativeFields {
  version: number; diag: number; state: number; flags: number; mult: number; length: number;
  myDisc: number; yourDisc: number; minTx: number; minRx: number; minEchoRx: number;
}

export interface BfdNative {
  bfdInit(onChange: (id: number, state: number, diag: number, remoteState: number) => void): number;
  /** 0 or a negative errno; local '' = the wildcard address. */
  bfdAdd(id: number, peer: string, local: string, txUs: number, rxUs: number, mult: number): number;
  bfdRemove(id: number): number;
  bfdAdminDown(id: number): number;
  bfdStatus(id: number): BfdNativeStatus | null;
  /** µs each periodic packet left after its scheduled time, since the last call. */
  bfdTakeLateness(id: number): Int32Array;
  bfdCounters(): BfdNativeCounters;
  bfdEncode(fields: BfdNativeFields): Buffer;
  bfdDecode(packet: Buffer): BfdNativeFields | number;
}

const FUNCTIONS = ['bfdInit', 'bfdAdd', 'bfdRemove', 'bfdAdminDown', 'bfdStatus', 'bfdTakeLateness', 'bfdCounters', 'bfdEncode', 'bfdDecode'];

export function isBfdNative(x: unknown): x is BfdNative {
  return typeof x === 'object' && x !== null && FUNCTIONS.every((f) => typeof (x as Record<string, unknown>)[f] === 'function');
}
