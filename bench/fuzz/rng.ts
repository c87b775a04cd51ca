// A small seeded PRNG (sfc32) and the per-input seeding that makes input i of a campaign
// reproducible on its own: resuming at i, or regenerating a hang's input in another thread.

export interface Rng {
  /** A uint32. */
  u32(): number;
  /** An integer in [0, n). */
  below(n: number): number;
  /** True with probability 1/n. */
  oneIn(n: number): boolean;
  pick<T>(xs: readonly T[]): T;
}

/** FNV-1a over a string, for mixing a target's name into the seed. */
export function hashString(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

export function sfc32(a: number, b: number, c: number, d: number): Rng {
  const u32 = (): number => {
    const t = (((a + b) >>> 0) + d) >>> 0;
    d = (d + 1) >>> 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) >>> 0;
    c = ((c << 21) | (c >>> 11)) >>> 0;
    c = (c + t) >>> 0;
    return t;
  };
  for (let i = 0; i < 12; i++) u32();
  const below = (n: number): number => (n <= 1 ? 0 : u32() % n);
  return { u32, below, oneIn: (n) => below(n) === 0, pick: (xs) => xs[below(xs.length)]! };
}

/** The generator of one input: the campaign seed, the target and the input's index. */
export function inputRng(seed: number, target: string, index: number): Rng {
  return sfc32(seed >>> 0, hashString(target), index >>> 0, Math.floor(index / 0x1_0000_0000) ^ 0x9e3779b9);
}
