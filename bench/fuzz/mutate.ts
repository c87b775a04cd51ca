// The mutation fuzzer: each input is a corpus entry put through 1-8 random edits (bit flips,
// interesting values, length-field tweaks, inserts, deletes, repeats, dictionary tokens,
// splices with another entry), all drawn from the input's own Rng.
import type { Rng } from './rng.js';

const INTERESTING_8 = [0, 1, 2, 3, 4, 0x10, 0x1f, 0x20, 0x3f, 0x40, 0x7f, 0x80, 0x81, 0xc0, 0xfe, 0xff];
const INTERESTING_16 = [0, 1, 2, 4, 19, 0x7f, 0x80, 0xff, 0x100, 0x3fff, 0x7fff, 0x8000, 0xfffe, 0xffff, 4096, 4097];

export interface MutationSource {
  corpus: readonly Uint8Array[];
  dictionary: readonly Uint8Array[];
  /** Inputs are cut to this many bytes. */
  maxLength: number;
}

function concat(...parts: Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let at = 0;
  for (const p of parts) { out.set(p, at); at += p.length; }
  return out;
}

function randomBytes(rng: Rng, n: number): Uint8Array {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = rng.below(256);
  return b;
}

/** Byte offsets just after each '\n' (and 0): line starts, for line-level edits of text. */
function lineStarts(b: Uint8Array): number[] {
  const starts = [0];
  for (let i = 0; i < b.length && starts.length < 4096; i++) if (b[i] === 10) starts.push(i + 1);
  return starts;
}

type Op = (b: Uint8Array, rng: Rng, src: MutationSource) => Uint8Array;

const OPS: Op[] = [
  (b, rng) => { if (b.length) b[rng.below(b.length)]! ^= 1 << rng.below(8); return b; },
  (b, rng) => { if (b.length) b[rng.below(b.length)] = rng.below(256); return b; },
  (b, rng) => { if (b.length) b[rng.below(b.length)] = rng.pick(INTERESTING_8); return b; },
  (b, rng) => {
    if (b.length < 2) return b;
    const at = rng.below(b.length - 1);
    const v = rng.pick(INTERESTING_16);
    b[at] = v >> 8; b[at + 1] = v & 0xff;
    return b;
  },
  // A length field nudged: a u8 or big-endian u16 plus or minus 1-16.
  (b, rng) => {
    if (b.length < 2) return b;
    const at = rng.below(b.length - 1);
    const d = (rng.below(16) + 1) * (rng.oneIn(2) ? 1 : -1);
    if (rng.oneIn(2)) { b[at] = (b[at]! + d) & 0xff; return b; }
    const v = ((b[at]! << 8) | b[at + 1]!) + d;
    b[at] = (v >> 8) & 0xff; b[at + 1] = v & 0xff;
    return b;
  },
  (b, rng) => { const at = rng.below(b.length + 1); return concat(b.subarray(0, at), randomBytes(rng, 1 + rng.below(16)), b.subarray(at)); },
  (b, rng, src) => { const at = rng.below(b.length + 1); return concat(b.subarray(0, at), rng.pick(src.dictionary), b.subarray(at)); },
  (b, rng, src) => {
    const tok = rng.pick(src.dictionary);
    const at = rng.below(Math.max(1, b.length - tok.length + 1));
    const out = b.length >= at + tok.length ? b : concat(b, new Uint8Array(at + tok.length - b.length));
    out.set(tok, at);
    return out;
  },
  (b, rng) => { if (!b.length) return b; const at = rng.below(b.length); const n = 1 + rng.below(Math.min(16, b.length - at)); return concat(b.subarray(0, at), b.subarray(at + n)); },
  (b, rng) => { if (!b.length) return b; const at = rng.below(b.length); const n = 1 + rng.below(b.length - at); return concat(b.subarray(0, at), b.subarray(at + n)); },
  // A chunk repeated: long inputs, deep nesting, many records.
  (b, rng) => {
    if (!b.length) return b;
    const at = rng.below(b.length);
    const chunk = b.slice(at, at + 1 + rng.below(Math.min(64, b.length - at)));
    const times = rng.oneIn(8) ? 64 + rng.below(1024) : 2 + rng.below(8);
    return concat(b.subarray(0, at), ...Array<Uint8Array>(times).fill(chunk), b.subarray(at));
  },
  (b, rng) => (b.length ? b.subarray(0, rng.below(b.length)) : b),
  (b, rng, src) => {
    const other = rng.pick(src.corpus);
    return concat(b.subarray(0, rng.below(b.length + 1)), other.subarray(rng.below(other.length + 1)));
  },
  // Line-level edits for text formats: a line dropped, repeated or moved.
  (b, rng) => {
    const starts = lineStarts(b);
    const i = rng.below(starts.length);
    const from = starts[i]!;
    const to = starts[i + 1] ?? b.length;
    const line = b.slice(from, to);
    const kind = rng.below(3);
    if (kind === 0) return concat(b.subarray(0, from), b.subarray(to));
    if (kind === 1) return concat(b.subarray(0, to), line, b.subarray(to));
    const at = rng.pick(starts);
    const rest = concat(b.subarray(0, from), b.subarray(to));
    const p = Math.min(at, rest.length);
    return concat(rest.subarray(0, p), line, rest.subarray(p));
  },
];

/** Input `rng` makes: mostly a mutated corpus entry, now and then plain random bytes. */
export function generate(rng: Rng, src: MutationSource): Uint8Array {
  if (rng.oneIn(64) || src.corpus.length === 0) return randomBytes(rng, rng.below(Math.min(256, src.maxLength)));
  let b: Uint8Array = rng.pick(src.corpus).slice();
  const edits = 1 + (rng.oneIn(2) ? 0 : rng.below(8));
  for (let i = 0; i < edits; i++) {
    b = OPS[rng.below(OPS.length)]!(b, rng, src);
    if (b.length > src.maxLength) b = b.subarray(0, src.maxLength);
  }
  return b;
}
