/**
 * Per-server /metrics lines, rendered once per object and reused (issue 13): the worker's status
 * copy (status-copy.ts) gives a changed server a new object, so a scrape renders only the servers
 * that changed since the last one. Label prefixes (`name{labels}`) are built once per series.
 */
import type { PoolStatus, ServerStatus } from '../coordinator/status.js';
import type { CheckSeries } from '../health/index.js';
import { seriesName, valueText } from './prom-text.js';

/** One weak table per kind of block (a few kinds): a Map per object cost ~240 bytes each, 10 MB at 10,000 servers. */
const blocks = new Map<string, WeakMap<object, string | string[]>>();

function cached<T extends string | string[]>(obj: object, key: string, render: () => T): T {
  let m = blocks.get(key);
  if (!m) { m = new WeakMap(); blocks.set(key, m); }
  let v = m.get(obj) as T | undefined;
  if (v === undefined) { v = render(); m.set(obj, v); }
  return v;
}

/**
 * Series names (`name{labels}`) found through a trie by label value, so that a lookup builds no
 * key string (a render looks up ~60,000 at 10,000 servers). A leaf holds the names of the
 * families that share those labels (all five per-monitor families at once). Below a host most
 * levels hold one key (its one monitor, result, URL): such a level is a `One`, not a Map, until a
 * second key comes (four Maps per server were 10 MB of the worker's heap at 10,000 servers).
 * Dropped whole when it outgrows the live series (servers left).
 */
class One {
  constructor(readonly key: string, public next: NameNode) {}
}
type Level = Map<string, NameNode> | One;
type NameNode = Level | string[];

let names: Map<string, NameNode> = new Map();
let nameCount = 0;
const NAME_LIMIT = 1_000_000;

function below(level: Level, key: string): NameNode | undefined {
  if (level instanceof One) return level.key === key ? level.next : undefined;
  return level.get(key);
}

/** The names under `path` (what the names are for, then label values), made by `make` the first time. */
export function cachedNames(path: readonly string[], make: () => string[]): string[] {
  let parent: Level | null = null;
  let level: Level = names;
  for (let i = 0; i < path.length; i++) {
    const found = below(level, path[i]!);
    if (found === undefined) return addNames(parent, path[i - 1] ?? '', level, path, i, make);
    if (i === path.length - 1) return found as string[];
    parent = level;
    level = found as Level;
  }
  throw new Error('cachedNames: an empty path');
}

/** `level` (under `parent` at `parentKey`) lacks `path[i]`: the rest of the path is added as a chain of Ones. */
function addNames(parent: Level | null, parentKey: string, level: Level, path: readonly string[], i: number, make: () => string[]): string[] {
  if (nameCount >= NAME_LIMIT) { names = new Map(); nameCount = 0; return cachedNames(path, make); }
  const leaf = make();
  nameCount += leaf.length;
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

/** One block of lines per MONITOR_FAMILIES entry for server `s` of pool `p` ('' when none), rendered once per object. */
export function monitorBlocks(p: PoolStatus, s: ServerStatus): string[] {
  return cached(s, 'pybal-monitor', () => {
    const out: string[][] = MONITOR_FAMILIES.map(() => []);
    for (const m of s.monitors) {
      const values = [m.upTransitions, m.downTransitions, m.upResults, m.downResults, m.up === null ? null : m.up ? 1 : 0];
      const labels = (): Record<string, string> => ({ service: p.name, host: s.host, monitor: m.name });
      const names = cachedNames(['pybal-monitor', p.name, s.host, m.name], () => MONITOR_FAMILIES.map(([family]) => seriesName(family, labels())));
      for (let i = 0; i < names.length; i++) {
        const v = values[i];
        // monitor.py sets the status on a transition only: absent before the first result.
        if (v !== null && v !== undefined) out[i]!.push(`${names[i]!} ${valueText(v)}`);
      }
    }
    return out.map((lines) => lines.join('\n'));
  });
}

/** vipd_server_pooled and vipd_server_up for one server. */
export function serverBlocks(p: PoolStatus, s: ServerStatus): [string, string] {
  return cached(s, 'vipd-server', (): [string, string] => {
    const [pooled, up] = cachedNames(['vipd-server', p.name, s.host], () =>
      ['vipd_server_pooled', 'vipd_server_up'].map((family) => seriesName(family, { service: p.name, host: s.host })));
    return [`${pooled!} ${valueText(s.pooled ? 1 : 0)}`, `${up!} ${valueText(s.up && s.ready ? 1 : 0)}`];
  });
}

/** Appends a block's lines (a cached block may hold several, or none). */
export function pushBlock(into: string[], block: string): void {
  if (block !== '') into.push(block);
}

/** The series' blocks (one per family of the caller's), rendered by `render` once per series object. */
export function seriesBlocks(s: CheckSeries, key: string, render: (s: CheckSeries) => string[]): string[] {
  return cached(s, key, () => render(s));
}
