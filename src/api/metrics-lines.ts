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

/** `render()`'s text for (obj, key), computed once while `obj` lives. */
export function cachedBlock(obj: object, key: string, render: () => string): string { return cached(obj, key, render); }

/** Series names by family and labels; dropped whole when it outgrows the live series (servers left). */
let names = new Map<string, string>();
const NAME_LIMIT = 1_000_000;

export function cachedName(family: string, labels: Record<string, string>, key: string): string {
  const k = `${family}\0${key}`;
  let n = names.get(k);
  if (n === undefined) {
    if (names.size >= NAME_LIMIT) names = new Map();
    n = seriesName(family, labels);
    names.set(k, n);
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

/** One block of lines per MONITOR_FAMILIES entry for server `s` of pool `p` ('' when none). */
export function monitorBlocks(p: PoolStatus, s: ServerStatus): string[] {
  return MONITOR_FAMILIES.map(([family], i) => cachedBlock(s, family, () => {
    const out: string[] = [];
    for (const m of s.monitors) {
      const labels = { service: p.name, host: s.host, monitor: m.name };
      const name = cachedName(family, labels, `${p.name}\0${s.host}\0${m.name}`);
      const v = [m.upTransitions, m.downTransitions, m.upResults, m.downResults, m.up === null ? null : m.up ? 1 : 0][i];
      // monitor.py sets the status on a transition only: absent before the first result.
      if (v !== null && v !== undefined) out.push(`${name} ${valueText(v)}`);
    }
    return out.join('\n');
  }));
}

/** vipd_server_pooled and vipd_server_up for one server. */
export function serverBlocks(p: PoolStatus, s: ServerStatus): [string, string] {
  const labels = { service: p.name, host: s.host };
  const key = `${p.name}\0${s.host}`;
  return [
    cachedBlock(s, 'vipd_server_pooled', () => `${cachedName('vipd_server_pooled', labels, key)} ${valueText(s.pooled ? 1 : 0)}`),
    cachedBlock(s, 'vipd_server_up', () => `${cachedName('vipd_server_up', labels, key)} ${valueText(s.up && s.ready ? 1 : 0)}`),
  ];
}

/** Appends a block's lines (a cached block may hold several, or none). */
export function pushBlock(into: string[], block: string): void {
  if (block !== '') into.push(block);
}

/** The series' blocks (one per family of the caller's), rendered by `render` once per series object. */
export function seriesBlocks(s: CheckSeries, key: string, render: (s: CheckSeries) => string[]): string[] {
  return cached(s, key, () => render(s));
}
