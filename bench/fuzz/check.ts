// One input through one target, judged: a throw, or an output over the size bound, is a failure.
// (Hangs and memory blow-ups are judged by the supervisor, which can kill the worker.)
// Also the shrinker that makes a failing input small before it is saved.
import type { FuzzTarget } from './target.js';

export type FailureKind = 'throw' | 'output' | 'hang' | 'memory';

export interface Failure {
  kind: FailureKind;
  message: string;
  /** What makes two failures the same bug: kind, error type, message shape, throwing frame. */
  signature: string;
}

/** Output may be this many bytes plus this factor times the input's length. */
export const OUTPUT_BASE = 256 * 1024;
export const OUTPUT_FACTOR = 64;

/** A rough byte size of a value (strings, numbers, keys, byte arrays), counted up to `limit`. */
export function sizeOf(v: unknown, limit: number): number {
  let total = 0;
  const stack: unknown[] = [v];
  const seen = new Set<object>();
  while (stack.length && total <= limit) {
    const x = stack.pop();
    if (typeof x === 'string') total += x.length + 2;
    else if (x === null || typeof x !== 'object') total += 8;
    else if (seen.has(x)) continue;
    else {
      seen.add(x);
      if (ArrayBuffer.isView(x)) total += x.byteLength;
      else if (x instanceof Map) for (const [k, y] of x) stack.push(k, y);
      else if (x instanceof Set) for (const y of x) stack.push(y);
      else if (Array.isArray(x)) { total += 2; for (const y of x) stack.push(y); }
      else for (const k of Object.keys(x)) { total += k.length + 4; stack.push((x as Record<string, unknown>)[k]); }
    }
  }
  return total;
}

export function signatureOf(e: unknown): string {
  if (!(e instanceof Error)) return `throw non-error ${typeof e}`;
  const shape = (e.message.split('\n')[0] ?? '').replace(/\d+/g, 'N').replace(/'[^']*'/g, "'…'").slice(0, 120);
  const frame = (e.stack ?? '').split('\n').find((l) => l.trim().startsWith('at '))?.replace(/:\d+\)?$/, '').trim() ?? '';
  return `throw ${e.name}: ${shape} ${frame}`;
}

export function check(target: FuzzTarget, input: Uint8Array): Failure | null {
  let out: unknown;
  try {
    out = target.run(input);
  } catch (e) {
    return { kind: 'throw', message: e instanceof Error ? (e.stack ?? e.message) : String(e), signature: signatureOf(e) };
  }
  const limit = OUTPUT_BASE + OUTPUT_FACTOR * input.length;
  const size = sizeOf(out, limit);
  if (size > limit) return { kind: 'output', message: `output over ${limit} bytes for a ${input.length}-byte input`, signature: 'output over the bound' };
  return null;
}

/**
 * Drops chunks (halves, quarters, … single bytes) while `fails` still holds; at most `budget`
 * tries or `ms` milliseconds. Returns the smallest failing input found.
 */
export function shrink(input: Uint8Array, fails: (b: Uint8Array) => boolean, budget: number, ms = 20_000): Uint8Array {
  let best = input;
  let tries = 0;
  const deadline = Date.now() + ms;
  const over = (): boolean => tries >= budget || (tries % 16 === 0 && Date.now() > deadline && (tries = budget) > 0);
  for (let size = best.length >> 1; size >= 1 && !over(); size = size >> 1) {
    let progress = true;
    while (progress && !over()) {
      progress = false;
      for (let at = 0; at + size <= best.length && !over(); at += size) {
        const candidate = new Uint8Array(best.length - size);
        candidate.set(best.subarray(0, at), 0);
        candidate.set(best.subarray(at + size), at);
        tries++;
        if (fails(candidate)) { best = candidate; progress = true; at -= size; }
      }
    }
  }
  return best;
}
