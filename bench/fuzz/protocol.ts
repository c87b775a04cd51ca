// What the fuzz supervisor and its worker threads send each other.

export interface RangeJob { mode: 'range'; target: string; seed: number; from: number; to: number; progress: SharedArrayBuffer; perSignature: number }
export interface SingleJob { mode: 'single'; target: string; input: Uint8Array; progress: SharedArrayBuffer }
export type WorkerMessage =
  | { type: 'failure'; index: number; kind: string; message: string; signature: string; input: Uint8Array; original: number }
  | { type: 'done' }
  | { type: 'result'; failed: boolean };

/**
 * Slot 0: the input being run; slot 1: shrink steps (so a long shrink is not taken for a hang);
 * slot 2: failures of an already reported signature (counted, not sent); slot 3: the worker's
 * kernel thread id, so the supervisor can read its CPU time (thread-cpu.ts).
 */
export const PROGRESS_SLOTS = 4;
