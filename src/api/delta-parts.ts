/**
 * A status delta in parts, to be posted one per turn of the main loop (delta-sender.ts): cloning
 * 10,000 servers' counters for postMessage in one go blocked the loop ~100 ms every reading, and
 * encoding them another 75–150 ms (issue 13 §5); whole pools and states are cut the same way.
 * Applied in order the parts are the delta: every part carries the (small) base, order and
 * histograms, so that a part names no service as gone, and a pool cut in parts replaces the
 * worker's old one only when its last part is in, so a copy read between parts is whole. Pure.
 */
import { sliceSeries } from './series-pack.js';
import { COUNTER_STRIDE, type CounterDelta, type DeltaJob, type PoolAppend, type PoolDelta, type PoolPiece, type PoolReplace, type StatesDelta, type StatusDelta } from './status-delta.js';

/** Host entries [from, to) of a CounterDelta, with copies of its numbers (a view would send the whole buffer). */
function sliceCounters(c: CounterDelta, from: number, to: number): CounterDelta {
  const e0 = c.first[from]!, e1 = c.first[to]!;
  return {
    service: c.service, hosts: c.hosts.slice(from, to), first: c.first.slice(from, to + 1).map((e) => e - e0),
    monitor: c.monitor.slice(e0, e1), names: c.names, values: c.values.slice(e0 * COUNTER_STRIDE, e1 * COUNTER_STRIDE),
    reasons: c.reasons.slice(e0, e1), series: sliceSeries(c.series, from, to),
  };
}

/** A part after the first: the delta's base, order and histograms with its share of the rest. */
const later = (d: StatusDelta, pieces: Pieces): StatusDelta => ({
  base: d.base, order: d.order, pools: pieces.pools, ...(pieces.appends?.length ? { appends: pieces.appends } : {}),
  ...(pieces.replaces?.length ? { replaces: pieces.replaces } : {}), ...(pieces.states?.length ? { states: pieces.states } : {}),
  counters: pieces.counters, ...(d.histograms ? { histograms: d.histograms } : {}),
});

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

/** What a delta carries per server, in the order the worker applies it (status-copy.ts). */
type Piece = PoolPiece | { counters: CounterDelta };

/** A whole pool's servers [from, to): its first ones as the PoolDelta (`more` when the rest follows), later ones as an append. */
function slicePool({ pool, series }: PoolDelta, from: number, to: number): PoolPiece {
  const servers = pool.servers.slice(from, to);
  const hosts = new Set(servers.map((s) => s.host));
  const mine = series.filter((c) => hosts.has(c.host));
  const more = to < pool.servers.length ? { more: true as const } : {};
  return from === 0 ? { pool: { pool: { ...pool, servers }, series: mine, ...more } } : { append: { service: pool.name, servers, series: mine, ...more } };
}

/**
 * States [from, to) as a partial StatesDelta: a whole service's states go by position over the
 * worker's list, host i being counters.hosts[i] (status-delta.ts encodeMonitors), so any range of
 * them can go by host instead.
 */
function sliceStates({ states, counters }: StatesDelta, from: number, to: number): StatesDelta {
  const extras = states.extras.filter((e) => e.i >= from && e.i < to).map((e) => ({ i: e.i - from, x: e.x }));
  return {
    states: { pool: states.pool, flags: states.flags.slice(from, to), weights: states.weights.slice(from, to), extras },
    counters: sliceCounters(counters, from, to), partial: true,
  };
}

const piecesOf = (d: StatusDelta): Piece[] =>
  [...d.pools.map((pool) => ({ pool })), ...(d.states ?? []).map((states) => ({ states })), ...d.counters.map((counters) => ({ counters }))];

function sizeOf(x: Piece): number {
  if ('pool' in x) return x.pool.pool.servers.length;
  if ('append' in x) return x.append.servers.length;
  if ('replace' in x) return x.replace.servers.length;
  return 'states' in x ? x.states.counters.hosts.length : x.counters.hosts.length;
}

function slicePiece(x: Piece, from: number, to: number): Piece {
  if ('pool' in x) return slicePool(x.pool, from, to);
  if ('states' in x) return { states: sliceStates(x.states, from, to) };
  if ('counters' in x) return { counters: sliceCounters(x.counters, from, to) };
  throw new Error('a piece read from a job is never cut again');
}

type Pieces = Pick<StatusDelta, 'pools' | 'appends' | 'replaces' | 'states' | 'counters'>;

function gather(group: readonly Piece[]): Pieces {
  const pools: PoolDelta[] = [], appends: PoolAppend[] = [], replaces: PoolReplace[] = [], states: StatesDelta[] = [], counters: CounterDelta[] = [];
  for (const x of group) {
    if ('pool' in x) pools.push(x.pool);
    else if ('append' in x) appends.push(x.append);
    else if ('replace' in x) replaces.push(x.replace);
    else if ('states' in x) states.push(x.states);
    else counters.push(x.counters);
  }
  return { pools, appends, replaces, states, counters };
}

/**
 * A delta cut into parts of at most `maxServers` servers: whole pools (cloning 10,000 servers for
 * postMessage held the main loop 40–70 ms), states and counters. The parts applied in order give
 * the copy the whole delta gives; a pool cut in parts shows in the copy once whole.
 */
export function splitDelta(d: StatusDelta, maxServers: number): StatusDelta[] {
  const groups = cut(piecesOf(d), sizeOf, slicePiece, maxServers);
  if (groups.length <= 1) return [d];
  return groups.map((g, i) => {
    if (i > 0) return later(d, gather(g));
    const { pools, states, counters } = gather(g);
    const { states: _, ...rest } = d;
    return { ...rest, pools, ...(states?.length ? { states } : {}), counters };
  });
}

/**
 * `head` (built with buildDelta's `jobs`; itself cut by splitDelta) first, then the jobs' servers
 * at most `maxServers` a part, each part's jobs read only when it is taken, at that moment's
 * values: counters by `encode` (status-delta.ts encodeCounters), pieces of a pool sent whole by
 * `piece` (delta-pieces.ts encodePiece). `count` is known up front: every part but the last says `more`.
 */
export function lazyParts(
  head: StatusDelta, jobs: readonly DeltaJob[], encode: (service: string, hosts: string[]) => CounterDelta | null, maxServers: number,
  piece: (job: DeltaJob) => PoolPiece | null = () => { throw new Error('a pool piece without an encoder'); },
): { count: number; parts: Iterator<StatusDelta> } {
  const heads = splitDelta(head, maxServers);
  const chunks = cut(jobs, (j) => j.hosts.length, sliceJob, maxServers);
  function* parts(): Generator<StatusDelta> {
    yield* heads;
    for (const c of chunks) {
      const pieces: Piece[] = [];
      for (const j of c) {
        if (j.whole || j.inPlace || j.moved) { const p = piece(j); if (p) pieces.push(p); }
        else { const counters = encode(j.service, j.hosts); if (counters) pieces.push({ counters }); }
      }
      yield later(head, gather(pieces));
    }
  }
  return { count: heads.length + chunks.length, parts: parts() };
}

const sliceJob = (j: DeltaJob, from: number, to: number): DeltaJob => ({
  service: j.service, hosts: j.hosts.slice(from, to), ...(j.whole ? { whole: { from: j.whole.from + from, of: j.whole.of } } : {}),
  ...(j.inPlace ? { inPlace: { from: j.inPlace.from + from } } : {}), ...(j.moved ? { moved: j.moved } : {}),
});
