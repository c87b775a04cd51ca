// What a fuzz target is, and the helpers the targets share (seed files, text decoding).
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Rng } from './rng.js';

export interface FuzzTarget {
  name: string;
  /** What it feeds, for `--list` and the docs. */
  description: string;
  /** Seed inputs (fixtures, captures, shipped configs). */
  corpus(): Uint8Array[];
  /** Tokens the mutator inserts and overwrites with. */
  dictionary: readonly Uint8Array[];
  maxLength: number;
  /** Repairs a mutated input now and then (e.g. a BGP header length), so edits reach deeper code. */
  fixup?(input: Uint8Array, rng: Rng): Uint8Array;
  /**
   * Feeds one input to the code under test and returns what it produced. The harness counts a
   * throw, a run over the time bound, or an output over the size bound as a failure.
   */
  run(input: Uint8Array): unknown;
}

/** The repository's root: the nearest folder up from here with a package.json. */
export function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 10; i++) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    dir = dirname(dir);
  }
  throw new Error('fuzz: cannot find the repository root (package.json)');
}

/** Every file in these folders (relative to the root) whose name passes `keep`, as bytes. */
export function filesIn(folders: readonly string[], keep: (name: string) => boolean): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (const f of folders) {
    const dir = join(repoRoot(), f);
    if (!existsSync(dir)) continue;
    for (const name of readdirSync(dir).sort()) {
      const p = join(dir, name);
      if (statSync(p).isFile() && keep(name)) out.push(new Uint8Array(readFileSync(p)));
    }
  }
  return out;
}

/**
 * Crashers saved by earlier campaigns for this target: re-run first, mutated like the rest.
 * Open ones (listed in open.json, not fixed yet) are left out: mutating a known bug finds it again
 * and again (and an output-bound one is slow every time), at the cost of finding others.
 */
export function savedCrashers(target: string): Uint8Array[] {
  const dir = `test/fixtures/crashers/${target}`;
  const openPath = join(repoRoot(), dir, 'open.json');
  const open = existsSync(openPath) ? Object.keys(JSON.parse(readFileSync(openPath, 'utf8')) as object) : [];
  return filesIn([dir], (n) => n.endsWith('.in') && !open.includes(n));
}

const utf8 = new TextDecoder('utf-8');
/** Bytes as a file reader would see them (invalid sequences become U+FFFD). */
export const text = (b: Uint8Array): string => utf8.decode(b);
export const bytesOf = (s: string): Uint8Array => new TextEncoder().encode(s);
/** Dictionary tokens written as text (UTF-8). */
export const tokens = (xs: readonly string[]): Uint8Array[] => xs.map(bytesOf);
/** Dictionary tokens written as hex. */
export const hexTokens = (xs: readonly string[]): Uint8Array[] => xs.map((h) => new Uint8Array(Buffer.from(h, 'hex')));
