import type { DecodeError, ErrorAction } from './types.js';

const EMPTY = new Uint8Array(0);

export function decodeError(
  code: number, subcode: number, action: ErrorAction, message: string, data: Uint8Array = EMPTY,
): DecodeError {
  return { code, subcode, data, action, message };
}

/**
 * Thrown inside the codec only; `decodeMessage` turns it back into a Result. Not an Error: no
 * stack trace is captured, so rejecting garbage stays cheap.
 */
export class CodecFailure {
  constructor(readonly error: DecodeError) {}
}

export function fail(
  code: number, subcode: number, action: ErrorAction, message: string, data: Uint8Array = EMPTY,
): never {
  throw new CodecFailure(decodeError(code, subcode, action, message, data));
}

/** The stronger of two RFC 7606 actions (§2: session reset > treat-as-withdraw > attribute discard). */
export function strongerAction(a: ErrorAction, b: ErrorAction): ErrorAction {
  const rank = { 'attribute-discard': 0, 'treat-as-withdraw': 1, 'session-reset': 2 } as const;
  return rank[a] >= rank[b] ? a : b;
}
