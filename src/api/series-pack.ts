/**
 * Check series packed for the API worker (issue 13): every check result changes its server's series
 * (the last durations, the recent latencies), so a reading at 10,000 servers carried 10,000 series,
 * and as objects the worker's deserialising of them (fresh strings, a boxed number per latency) was
 * its longest block, 50–100 ms a reading with its collections. Packed: each distinct label value
 * once, the numbers in typed arrays. A host's series are its service's and its own (the caller's
 * CounterDelta names both). Pure.
 */
import type { CheckDuration, CheckSeries } from '../health/index.js';

type Extra = Pick<CheckSeries, 'learned' | 'connections'>;

export interface SeriesPack {
  /** Host i's series are [first[i], first[i + 1]); `sent[i]` 0: unchanged (read as null), nothing sent. */
  first: Uint32Array;
  sent: Uint8Array;
  /** Per series: its monitor's index in `strings`; its durations [durFirst[s], durFirst[s + 1]) and latencies [recentFirst[s], recentFirst[s + 1]). */
  monitor: Uint32Array;
  durFirst: Uint32Array;
  recentFirst: Uint32Array;
  /** Per series, 1 when it has recentMs (empty or not). */
  hasRecent: Uint8Array;
  /** Per duration, DURATION_STRIDE indexes in `strings`: result, url, exitcode (0: absent). */
  labels: Uint32Array;
  seconds: Float64Array;
  recent: Float64Array;
  /** Each distinct string once; index 0 is unused (absent). */
  strings: string[];
  /** The rare parts by series index: IdleConnection's connection counts, `timeout = auto`'s learned deadline. */
  extras: { at: number; x: Extra }[];
}

const DURATION_STRIDE = 3;

/** `perHost[i]`: host i's series, or null when they did not change. */
export function packSeries(perHost: readonly (readonly CheckSeries[] | null)[]): SeriesPack {
  let series = 0, durations = 0, recent = 0;
  for (const list of perHost) {
    for (const c of list ?? []) { series++; durations += c.durations.length; recent += c.recentMs?.length ?? 0; }
  }
  const p: SeriesPack = {
    first: new Uint32Array(perHost.length + 1), sent: new Uint8Array(perHost.length), monitor: new Uint32Array(series),
    durFirst: new Uint32Array(series + 1), recentFirst: new Uint32Array(series + 1), hasRecent: new Uint8Array(series),
    labels: new Uint32Array(durations * DURATION_STRIDE), seconds: new Float64Array(durations), recent: new Float64Array(recent),
    strings: [''], extras: [],
  };
  const index = new Map<string, number>();
  const str = (s: string | undefined): number => {
    if (s === undefined) return 0;
    let n = index.get(s);
    if (n === undefined) { n = p.strings.length; index.set(s, n); p.strings.push(s); }
    return n;
  };
  let s = 0, d = 0, r = 0;
  perHost.forEach((list, i) => {
    p.first[i] = s;
    p.sent[i] = list ? 1 : 0;
    for (const c of list ?? []) {
      p.monitor[s] = str(c.monitor);
      p.durFirst[s] = d;
      p.recentFirst[s] = r;
      for (const x of c.durations) {
        p.labels[d * DURATION_STRIDE] = str(x.result);
        p.labels[d * DURATION_STRIDE + 1] = str(x.url);
        p.labels[d * DURATION_STRIDE + 2] = str(x.exitcode);
        p.seconds[d++] = x.seconds;
      }
      if (c.recentMs) { p.hasRecent[s] = 1; p.recent.set(c.recentMs, r); r += c.recentMs.length; }
      if (c.learned || c.connections) {
        p.extras.push({ at: s, x: { ...(c.learned ? { learned: c.learned } : {}), ...(c.connections ? { connections: c.connections } : {}) } });
      }
      s++;
    }
  });
  p.first[perHost.length] = s;
  p.durFirst[series] = d;
  p.recentFirst[series] = r;
  return p;
}

/** Host i's series as objects (`service` and `host`: the CounterDelta's), or null when unchanged. */
export function unpackSeries(p: SeriesPack, i: number, service: string, host: string): CheckSeries[] | null {
  if (!p.sent[i]) return null;
  const s0 = p.first[i]!, out = new Array<CheckSeries>(p.first[i + 1]! - s0);
  let extra = firstExtra(p, s0);
  for (let s = s0; s < s0 + out.length; s++) {
    // arrays sized up front: grown by push they keep room for 17 (the worker keeps these)
    const d0 = p.durFirst[s]!, durations = new Array<CheckDuration>(p.durFirst[s + 1]! - d0);
    for (let k = 0; k < durations.length; k++) {
      const d = d0 + k, o = d * DURATION_STRIDE;
      const result = p.strings[p.labels[o]!] as CheckDuration['result'], url = p.labels[o + 1]!, exitcode = p.labels[o + 2]!;
      const seconds = p.seconds[d]!;
      // no spreads of temporaries: ~10,000 of these a second at 10,000 servers (same keys, same order)
      durations[k] = url
        ? (exitcode ? { result, url: p.strings[url]!, exitcode: p.strings[exitcode]!, seconds } : { result, url: p.strings[url]!, seconds })
        : (exitcode ? { result, exitcode: p.strings[exitcode]!, seconds } : { result, seconds });
    }
    const c: CheckSeries = { service, host, monitor: p.strings[p.monitor[s]!]!, durations };
    if (p.hasRecent[s]) {
      const r0 = p.recentFirst[s]!, recent = new Array<number>(p.recentFirst[s + 1]! - r0);
      for (let k = 0; k < recent.length; k++) recent[k] = p.recent[r0 + k]!;
      c.recentMs = recent;
    }
    if (extra < p.extras.length && p.extras[extra]!.at === s) Object.assign(c, p.extras[extra++]!.x);
    out[s - s0] = c;
  }
  return out;
}

/** The index of the first extra at or after series `s` (extras are in series order). */
function firstExtra(p: SeriesPack, s: number): number {
  let lo = 0, hi = p.extras.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (p.extras[mid]!.at < s) lo = mid + 1; else hi = mid;
  }
  return lo;
}

/** Hosts [from, to) of a pack, with copies of its numbers (a view would send the whole buffer). */
export function sliceSeries(p: SeriesPack, from: number, to: number): SeriesPack {
  const s0 = p.first[from]!, s1 = p.first[to]!;
  const d0 = p.durFirst[s0]!, d1 = p.durFirst[s1]!;
  const r0 = p.recentFirst[s0]!, r1 = p.recentFirst[s1]!;
  return {
    first: p.first.slice(from, to + 1).map((s) => s - s0), sent: p.sent.slice(from, to), monitor: p.monitor.slice(s0, s1),
    durFirst: p.durFirst.slice(s0, s1 + 1).map((d) => d - d0), recentFirst: p.recentFirst.slice(s0, s1 + 1).map((r) => r - r0),
    hasRecent: p.hasRecent.slice(s0, s1), labels: p.labels.slice(d0 * DURATION_STRIDE, d1 * DURATION_STRIDE),
    seconds: p.seconds.slice(d0, d1), recent: p.recent.slice(r0, r1), strings: p.strings,
    extras: p.extras.filter((e) => e.at >= s0 && e.at < s1).map((e) => ({ at: e.at - s0, x: e.x })),
  };
}
