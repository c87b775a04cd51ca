// `vipd run` with glibc's mmap threshold fixed (issue 13 §3: RSS at 10,000 realservers).
// glibc maps a block of at least the threshold on its own and unmaps it on free, but by default
// the threshold rises to the largest such block freed: once the API worker had freed its first
// /metrics body (~9 MB at 10,000 realservers), later bodies and large messages came from its arena,
// which keeps what is freed in its middle: ~30 MB of vipd's RSS. Fixed at 1 MB, they go back.
// And every TRIM_EVERY_MS, malloc_trim(0) gives back the free pages inside the arenas (what many
// small blocks freed at once leave: a reading's messages, a render's pieces): ~3-5 MB more.
import { nativeAddon, nativeAddonUnavailable } from '../../health/monitors/native-addon.js';

/** Blocks of this size and more get a mapping of their own (M_MMAP_THRESHOLD). */
export const MMAP_THRESHOLD = 1 << 20;

/** How often the arenas' free pages are given back (each trim: ~0.8 ms of the main thread at 10,000 realservers). */
export const TRIM_EVERY_MS = 10_000;

/** What `vipd run` logs about it: info when fixed (or the operator's tunable kept), else a warning. */
export interface MallocNote { fixed: boolean; text: string }

/** The operator's own glibc tunable for the threshold, if GLIBC_TUNABLES sets one (glibc reads it at start). */
export function operatorThreshold(env: Readonly<Record<string, string | undefined>>): string | null {
  const own = (env.GLIBC_TUNABLES ?? '').split(':').find((t) => t.startsWith('glibc.malloc.mmap_threshold='));
  return own ?? null;
}

/** Fixes the threshold through the native addon (unless the operator set it) and starts the trims. */
export function tuneMalloc(env: Readonly<Record<string, string | undefined>> = process.env): MallocNote {
  const own = operatorThreshold(env);
  if (own) return { fixed: true, text: `malloc: GLIBC_TUNABLES ${own} kept` };
  const addon = nativeAddon();
  if (!addon?.mallocMmapThreshold) {
    return { fixed: false, text: `malloc: mmap threshold not fixed: ${nativeAddonUnavailable() || 'a native addon build without mallocMmapThreshold'}` };
  }
  const err = addon.mallocMmapThreshold(MMAP_THRESHOLD);
  if (err !== 0) return { fixed: false, text: `malloc: mmap threshold not fixed (errno ${-err}: not glibc?)` };
  const trims = startTrimming();
  return { fixed: true, text: `malloc: blocks of ${MMAP_THRESHOLD >> 20} MB and more mapped on their own, returned to the kernel when freed${trims ? `; free pages trimmed every ${TRIM_EVERY_MS / 1000} s` : ''}` };
}

/** malloc_trim every TRIM_EVERY_MS for the life of the process (the timer keeps nothing alive). */
function startTrimming(): boolean {
  const addon = nativeAddon();
  if (!addon?.mallocTrim) return false;
  const trim = addon.mallocTrim.bind(addon);
  setInterval(() => { trim(); }, TRIM_EVERY_MS).unref();
  return true;
}
