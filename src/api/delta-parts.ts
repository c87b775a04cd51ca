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

/** A delta (its counters encoded) cut into parts of at most `maxServers` servers' counters. */
export function splitDelta(d: StatusDelta, maxServers: number): StatusDelta[] {
  let size = 0;
  for (const c of d.counters) size += c.hosts.length;
  if (size <= maxServers) return [d];
  const parts: StatusDelta[] = [];
  let counters: CounterDelta[] = [];
  let room = maxServers;
  const flush = (): void => {
    parts.push(parts.length ? later(d, counters) : { ...d, counters });
    counters = [];
    room = maxServers;
  };
  for (const c of d.counters) {
    for (let from = 0; from < c.hosts.length;) {
      const to = Math.min(c.hosts.length, from + room);
      counters.push(from === 0 && to === c.hosts.length ? c : sliceCounters(c, from, to));
      room -= to - from;
      from = to;
      if (room === 0) flush();
    }
  }
  if (counters.length || parts.length === 0) flush();
  return parts;
}

/**
 * `head` (built with buildDelta's `jobs`) first, then the jobs' servers at most `maxServers` a
 * part, each part's counters encoded only when it is taken (`encode`: status-delta.ts encodeCounters,
 * at that moment's values). `count` is known up front: every part but the last says `more`.
 */
export function lazyParts(
  head: StatusDelta, jobs: readonly CounterJob[], encode: (service: string, hosts: string[]) => CounterDelta | null, maxServers: number,
): { count: number; parts: Iterator<StatusDelta> } {
  const chunks: CounterJob[][] = [];
  let chunk: CounterJob[] = [];
  let room = maxServers;
  for (const job of jobs) {
    for (let from = 0; from < job.hosts.length;) {
      const to = Math.min(job.hosts.length, from + room);
      chunk.push({ service: job.service, hosts: job.hosts.slice(from, to) });
      room -= to - from;
      from = to;
      if (room === 0) { chunks.push(chunk); chunk = []; room = maxServers; }
    }
  }
  if (chunk.length) chunks.push(chunk);
  function* parts(): Generator<StatusDelta> {
    yield head;
    for (const c of chunks) yield later(head, c.flatMap((j) => encode(j.service, j.hosts) ?? []));
  }
  return { count: 1 + chunks.length, parts: parts() };
}
