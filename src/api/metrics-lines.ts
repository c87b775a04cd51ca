/**
 * Per-server /metrics lines, rendered once per object and reused (issue 13): the worker's status
 * copy (status-copy.ts) gives a changed server a new object, so a scrape renders only the servers
 * that changed since the last one. Label prefixes (`name{labels}`) are built once per series.
 */
import type { PoolStatus, ServerStatus } from '../coordinator/status.js';
import type { CheckSeries } from '../health/index.js';
import { seriesName, valueText } from './prom-text.js';

const blocks = new WeakMap<object, Map<string, string | string[]>>();

function cached<T extends string | string[]>(obj: object, key: string, render: () => T): T {
  let m = blocks.get(obj);
  if (!m) { m = new Map(); blocks.set(obj, m); }
  let v = m.get(key) as T | undefined;
  if (v === undefined) { v = render(); m.set(key, v); }
  return v;
}

/**
 * Series names (`name{labels}`) found through nested maps by label value, so that a lookup builds
 * no key string (a render looks up ~80,000 names at 10,000 servers); dropped whole when it outgrows
 * the live series (servers left).
 */
type NameNode = Map<string, NameNode | string>;
let names: NameNode = new Map();
let nameCount = 0;
const NAME_LIMIT = 1_000_000;

/** The series name under `path` (the family, then label values), made by `make` the first time. */
export function cachedName(path: readonly string[], make: () => string): string {
  let node = names;
  const last = path.length - 1;
  for (let i = 0; i < last; i++) {
    let next = node.get(path[i]!) as NameNode | undefined;
    if (next === undefined) { next = new Map(); node.set(path[i]!, next); }
    node = next;
  }
  let n = node.get(path[last]!) as string | undefined;
  if (n === undefined) {
    if (nameCount >= NAME_LIMIT) { names = new Map(); nameCount = 0; return cachedName(path, make); }
    n = make();
    node.set(path[last]!, n);
    nameCount++;
  }
  return n;
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
      for (const [i, [family]] of MONITOR_FAMILIES.entries()) {
        const v = values[i];
        // monitor.py sets the status on a transition only: absent before the first result.
        if (v === null || v === undefined) continue;
        const name = cachedName([family, p.name, s.host, m.name], () => seriesName(family, { service: p.name, host: s.host, monitor: m.name }));
        out[i]!.push(`${name} ${valueText(v)}`);
      }
    }
    return out.map((lines) => lines.join('\n'));
  });
}

/** vipd_server_pooled and vipd_server_up for one server. */
export function serverBlocks(p: PoolStatus, s: ServerStatus): string[] {
  const name = (family: string): string => cachedName([family, p.name, s.host], () => seriesName(family, { service: p.name, host: s.host }));
  return cached(s, 'vipd-server', () => [
    `${name('vipd_server_pooled')} ${valueText(s.pooled ? 1 : 0)}`,
    `${name('vipd_server_up')} ${valueText(s.up && s.ready ? 1 : 0)}`,
  ]);
}

/** Appends a block's lines (a cached block may hold several, or none). */
export function pushBlock(into: string[], block: string): void {
  if (block !== '') into.push(block);
}

/** The series' blocks (one per family of the caller's), rendered by `render` once per series object. */
export function seriesBlocks(s: CheckSeries, key: string, render: (s: CheckSeries) => string[]): string[] {
  return cached(s, key, () => render(s));
}
