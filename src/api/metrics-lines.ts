/**
 * Per-server /metrics families, written straight into the body (prom-text.ts PromWriter): one pass
 * over the servers per family, each series' labels found in a trie by label values and built once.
 */
import type { PoolStatus } from '../coordinator/status.js';
import type { LineMemo } from './line-memo.js';
import { seriesName, type PromWriter } from './prom-text.js';

/** Yields every SLICE servers so a caller can render in slices (metrics-cache.ts). */
export const SLICE = 500;

/**
 * Series labels (`{labels}`, sorted and escaped) found through a trie by label value, so that a
 * lookup builds no key string (a render looks up ~80,000 at 10,000 servers). A leaf is the text of
 * one label set, which every family with those labels writes after its name (all five per-monitor
 * families; a name per family and series was 9 MB of the worker's heap). Below a host most
 * levels hold one key (its one monitor, result, URL): such a level is a `One`, not a Map, until a
 * second key comes (four Maps per server were 10 MB of the worker's heap at 10,000 servers).
 * Dropped whole when it outgrows the live series (servers left).
 */
class One {
  constructor(readonly key: string, public next: NameNode) {}
}
type Level = Map<string, NameNode> | One;
type NameNode = Level | string;

let labelTrie: Map<string, NameNode> = new Map();
let labelCount = 0;
const LABEL_LIMIT = 1_000_000;

function below(level: Level, key: string): NameNode | undefined {
  if (level instanceof One) return level.key === key ? level.next : undefined;
  return level.get(key);
}

/** The labels' text under `path` (what they are for, then the label values), made by `make` the first time. */
export function cachedLabels(path: readonly string[], make: () => string): string {
  let parent: Level | null = null;
  let level: Level = labelTrie;
  for (let i = 0; i < path.length; i++) {
    const found = below(level, path[i]!);
    if (found === undefined) return addLabels(parent, path[i - 1] ?? '', level, path, i, make);
    if (i === path.length - 1) return found as string;
    parent = level;
    level = found as Level;
  }
  throw new Error('cachedLabels: an empty path');
}

/** `level` (under `parent` at `parentKey`) lacks `path[i]`: the rest of the path is added as a chain of Ones. */
function addLabels(parent: Level | null, parentKey: string, level: Level, path: readonly string[], i: number, make: () => string): string {
  if (labelCount >= LABEL_LIMIT) { labelTrie = new Map(); labelCount = 0; return cachedLabels(path, make); }
  const leaf = make();
  labelCount++;
  let chain: NameNode = leaf;
  for (let j = path.length - 1; j > i; j--) chain = new One(path[j]!, chain);
  if (level instanceof Map) { level.set(path[i]!, chain); return leaf; }
  const grown = new Map<string, NameNode>([[level.key, level.next], [path[i]!, chain]]);
  // level is never the root (a Map): it has a parent, which now holds the Map instead
  if (parent instanceof One) parent.next = grown; else parent!.set(parentKey, grown);
  return leaf;
}

/** The per-server, per-monitor PyBal families (monitor.py), in this order. */
export const MONITOR_FAMILIES = [
  ['pybal_monitor_up_transitions_total', 'counter', 'Monitor up transition count'],
  ['pybal_monitor_down_transitions_total', 'counter', 'Monitor down transition count'],
  ['pybal_monitor_up_results_total', 'counter', 'Monitor up result count'],
  ['pybal_monitor_down_results_total', 'counter', 'Monitor down result count'],
  ['pybal_monitor_status', 'gauge', 'Monitor up status'],
] as const;

type Monitor = PoolStatus['servers'][number]['monitors'][number];

/** MONITOR_FAMILIES[family]'s value for one monitor; null writes no line. */
function monitorValue(m: Monitor, family: number): number | null {
  const v = family === 0 ? m.upTransitions : family === 1 ? m.downTransitions : family === 2 ? m.upResults
    : family === 3 ? m.downResults : m.up === null ? null : m.up ? 1 : 0;
  // monitor.py sets the status on a transition only: absent before the first result.
  return v === undefined ? null : v;
}

/** The values one family writes, in line order (NaN: no line), for the memo. */
function monitorValues(pools: readonly PoolStatus[], family: number): Float64Array {
  let n = 0;
  for (const p of pools) for (const s of p.servers) n += s.monitors.length;
  const out = new Float64Array(n);
  let i = 0;
  for (const p of pools) for (const s of p.servers) for (const m of s.monitors) out[i++] = monitorValue(m, family) ?? NaN;
  return out;
}

/** `write` the family's samples, or with a memo copy them from the last body when its values did not change (line-memo.ts). */
function* memoized(name: string, kind: 'monitor' | 'server', values: Float64Array | null, w: PromWriter, memo: LineMemo | undefined,
  write: () => Generator<void, void>): Generator<void, void> {
  const start = w.length;
  const old = values && memo ? memo.reusable(name, kind, values) : null;
  if (old) w.bytes(old.body, old.start, old.end);
  else yield* write();
  if (values && memo) memo.wrote(name, start, w.length, values);
}

/**
 * MONITOR_FAMILIES[family]'s samples for every monitor of every server, pools in order, yielding
 * every SLICE servers; with a memo, copied from the last body when none of them changed.
 */
export function* writeMonitorFamily(pools: readonly PoolStatus[], family: number, w: PromWriter, memo?: LineMemo): Generator<void, void> {
  const name = MONITOR_FAMILIES[family]![0];
  yield* memoized(name, 'monitor', memo ? monitorValues(pools, family) : null, w, memo, function* () {
    let n = 0;
    for (const p of pools) {
      for (const s of p.servers) {
        if (++n % SLICE === 0) yield;
        for (const m of s.monitors) {
          const v = monitorValue(m, family);
          if (v === null) continue;
          w.sample(name, v, cachedLabels(['monitor', p.name, s.host, m.name], () => seriesName('', { service: p.name, host: s.host, monitor: m.name })));
        }
      }
    }
  });
}

const serverValue = (s: PoolStatus['servers'][number], up: boolean): number => (up ? (s.up && s.ready ? 1 : 0) : s.pooled ? 1 : 0);

function serverValues(pools: readonly PoolStatus[], up: boolean): Float64Array {
  const out = new Float64Array(pools.reduce((n, p) => n + p.servers.length, 0));
  let i = 0;
  for (const p of pools) for (const s of p.servers) out[i++] = serverValue(s, up);
  return out;
}

/** vipd_server_pooled (`up` false) or vipd_server_up for every server, pools in order, yielding every SLICE servers; with a memo as writeMonitorFamily. */
export function* writeServerFamily(pools: readonly PoolStatus[], up: boolean, w: PromWriter, memo?: LineMemo): Generator<void, void> {
  const name = up ? 'vipd_server_up' : 'vipd_server_pooled';
  yield* memoized(name, 'server', memo ? serverValues(pools, up) : null, w, memo, function* () {
    let n = 0;
    for (const p of pools) {
      for (const s of p.servers) {
        if (++n % SLICE === 0) yield;
        w.sample(name, serverValue(s, up), cachedLabels(['server', p.name, s.host], () => seriesName('', { service: p.name, host: s.host })));
      }
    }
  });
}
