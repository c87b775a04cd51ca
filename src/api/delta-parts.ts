/**
 * A status delta in parts, to be posted one per turn of the main loop (delta-sender.ts): cloning
 * 10,000 servers' counters for postMessage in one go blocked the loop ~100 ms every reading, and
 * encoding them another 75–150 ms (issue 13 §5). Applied in order the parts are the delta: the
 * first carries the pools and states, every part the (small) base, order and histograms, so that
 * a part names no service as gone and a copy read between parts is whole. Pure.
 */
import { COUNTER_STRIDE, type CounterDelta, type CounterJob, type StatusDelta } from './status-delta.js';

/** Host entries [from, to) of a CounterDelta, with copies of its numbers (a view would send the whole buffer). */
function sliceCounters(c: CounterDelta, from: number, to: number): CounterDelta {
  const e0 = c.first[from]!, e1 = c.first[to]!;
  return {
    service: c.service, hosts: c.hosts.slice(from, to), first: c.first.slice(from, to + 1).map((e) => e - e0),
    monitor: c.monitor.slice(e0, e1), names: c.names, values: c.values.slice(e0 * COUNTER_STRIDE, e1 * COUNTER_STRIDE),
    reasons: c.reasons.slice(e0, e1), series: c.series.slice(from, to),
  };
}

/** A part after the first: the delta's base, order and histograms with `counters`. */
const later = (d: StatusDelta, counters: CounterDelta[]): StatusDelta =>
  ({ base: d.base, order: d.order, pools: [], counters, ...(d.histograms ? { histograms: d.histograms } : {}) });

/** `items` cut into groups of at most `max` hosts, an item split where a group fills (`slice`: its hosts [from, to)). */
function cut<T>(items: readonly T[], hosts: (x: T) => number, slice: (x: T, from: number, to: number) => T, max: number): T[][] {
  const groups: T[][] = [];
  let group: T[] = [];
  let room = max;
  for (const x of items) {
    const n = hosts(x);
    for (let from = 0; from < n;) {
      const to = Math.min(n, from + room);
      group.push(from === 0 && to === n ? x : slice(x, from, to));
      room -= to - from;
      from = to;
      if (room === 0) { groups.push(group); group = []; room = max; }
    }
  }
  if (group.length) groups.push(group);
  return groups;
}

/** A delta (its counters encoded) cut into parts of at most `maxServers` servers' counters. */
export function splitDelta(d: StatusDelta, maxServers: number): StatusDelta[] {
  const groups = cut(d.counters, (c) => c.hosts.length, sliceCounters, maxServers);
  if (groups.length <= 1) return [d];
  return groups.map((counters, i) => (i === 0 ? { ...d, counters } : later(d, counters)));
}

/**
 * `head` (built with buildDelta's `jobs`) first, then the jobs' servers at most `maxServers` a
 * part, each part's counters encoded only when it is taken (`encode`: status-delta.ts encodeCounters,
 * at that moment's values). `count` is known up front: every part but the last says `more`.
 */
export function lazyParts(
  head: StatusDelta, jobs: readonly CounterJob[], encode: (service: string, hosts: string[]) => CounterDelta | null, maxServers: number,
): { count: number; parts: Iterator<StatusDelta> } {
  const chunks = cut(jobs, (j) => j.hosts.length, (j, from, to) => ({ service: j.service, hosts: j.hosts.slice(from, to) }), maxServers);
  function* parts(): Generator<StatusDelta> {
    yield head;
    for (const c of chunks) yield later(head, c.flatMap((j) => encode(j.service, j.hosts) ?? []));
  }
  return { count: 1 + chunks.length, parts: parts() };
}
