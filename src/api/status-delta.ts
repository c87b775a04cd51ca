/**
 * The status as deltas (issue 13): the main thread sends the API worker only what changed since the
 * last reading, keyed by service and server, so its cost per reading grows with the changes, not
 * with the number of realservers. Marks come from the coordinator (a service's structure: pooled,
 * up, weights, the list itself) and from every check result (one server's monitor counters and
 * check series). A marked service goes whole only when the worker lacks its server list (a list
 * edit, a re-resolution, a reload, a new worker); otherwise its states go by position (state-delta.ts).
 * Everything else (BGP, VIPs, alerts, schedule…) is small and sent whole each time. Pure: the caller supplies a KeyedStatus; the worker applies deltas with StatusCopy; delta-parts.ts cuts them into parts.
 */
import type { CoordinatorStatus, MonitorStatus, PoolStatus } from '../coordinator/status.js';
import type { CheckMetricsStatus, CheckSeries } from '../health/index.js';

type CheckHistogram = CheckMetricsStatus['histograms'][number];
import { packSeries, type SeriesPack } from './series-pack.js';
import { encodeStates, type SentLists, type StateDelta } from './state-delta.js';
import type { Changes, KeyedStatus, LoopLag, StatusSnapshot, StatusSource } from './types.js';

/** Numbers per (server, monitor) in CounterDelta.values. */
export const COUNTER_STRIDE = 7;

/**
 * The servers of one service whose counters changed (not their state: that marks the service),
 * compactly: names once and the numbers in one typed array, so the main thread's cost per changed
 * server is a few numbers to copy rather than an object to clone (issue 13).
 */
export interface CounterDelta {
  service: string;
  hosts: string[];
  /** Host i's entries are [first[i], first[i + 1]) (hosts.length + 1 numbers). */
  first: Uint32Array;
  /** Per entry, its monitor's index in `names`. */
  monitor: Uint16Array;
  names: string[];
  /** Per entry, COUNTER_STRIDE numbers: up (1, 0; NaN: null), since, durationMs (NaN: null), upTransitions, downTransitions, upResults, downResults. */
  values: Float64Array;
  /** Per entry, the monitor's reason. */
  reasons: string[];
  /** Per host, its check series (one per monitor with a result), packed; unchanged ones read as null (StatesDelta only). */
  series: SeriesPack;
}

/**
 * A marked service whose list the worker already has: its states by position (state-delta.ts) and
 * monitors. `partial`: only the servers `counters.hosts` names, position i being host i (a
 * transition's servers); otherwise every server, in the list's order.
 */
export interface StatesDelta { states: StateDelta; counters: CounterDelta; partial?: true }

/**
 * A pool sent whole, with every server's series. `more`: only its first servers; the rest follow
 * as PoolAppends in the reading's later parts (delta-parts.ts), and the worker shows the pool it
 * had until the last has come.
 */
export interface PoolDelta { pool: PoolStatus; series: CheckSeries[]; more?: true }

/** More servers of a pool sent whole in an earlier part of the same reading; `more` on all but the last. */
export interface PoolAppend { service: string; servers: PoolStatus['servers']; series: CheckSeries[]; more?: true }

/**
 * Servers of a pool whose list the worker has (the same hosts in the same order), as objects by
 * host with their series: their addresses, ports or monitors may have changed (a resolution, a
 * reload); an unchanged one keeps the worker's object.
 */
export interface PoolReplace { pool: Omit<PoolStatus, 'servers'>; servers: PoolStatus['servers']; series: CheckSeries[] }

/** A piece of a large pool's reading (delta-pieces.ts): its first servers as the PoolDelta, later ones as an append; in place; or states. */
export type PoolPiece = { pool: PoolDelta } | { append: PoolAppend } | { replace: PoolReplace } | { states: StatesDelta };

export interface StatusDelta {
  /** Everything but the pools' servers and the check series, sent whole. */
  base: Omit<StatusSnapshot, 'coordinator' | 'checks'> & { coordinator: Omit<CoordinatorStatus, 'pools'> };
  /** Service names in order; a service not named is gone. */
  order: string[];
  pools: PoolDelta[];
  /** The rest of pools begun with `more` (absent: none). */
  appends?: PoolAppend[];
  /** Servers replaced in place (absent: none). */
  replaces?: PoolReplace[];
  /** Services whose states changed but not their server list (absent: none). */
  states?: StatesDelta[];
  counters: CounterDelta[];
  /** Check histograms (per service and monitor), undefined without health checks. */
  histograms?: CheckHistogram[];
}

/** What changed since the last delta; marks are O(1). */
export class ChangeTracker {
  private all = true;
  private readonly services = new Set<string>();
  private readonly servers = new Map<string, Set<string>>();
  private readonly states = new Map<string, Set<string>>();

  /** A service's structure changed (null: every service, e.g. overrides or a reload). */
  service(name: string | null): void {
    if (name === null) this.all = true;
    else this.services.add(name);
  }

  /** A server's counters or check series changed (kept beside a service mark: its series go with a StatesDelta). */
  server(service: string, host: string): void {
    if (this.all) return;
    let s = this.servers.get(service);
    if (!s) { s = new Set(); this.servers.set(service, s); }
    s.add(host);
  }

  /** A server's state changed (a transition, or the depool rule moved it), and so did its pool's summary. */
  state(service: string, host: string): void {
    if (this.all) return;
    let s = this.states.get(service);
    if (!s) { s = new Set(); this.states.set(service, s); }
    s.add(host);
  }

  /** The marks since the last drain, cleared. */
  drain(): Changes {
    const out = { all: this.all, services: new Set(this.services), servers: new Map(this.servers), states: new Map(this.states) };
    this.all = false;
    this.services.clear();
    this.servers.clear();
    this.states.clear();
    return out;
  }
}

/** From this many servers a pool read whole goes in pieces. */
export const PIECES_FROM = 1000;

/** One server's check series, one per monitor with a result. */
export function seriesOf(k: KeyedStatus, service: string, host: string, monitors: readonly MonitorStatus[]): CheckSeries[] {
  const out: CheckSeries[] = [];
  if (!k.series) return out;
  for (const m of monitors) {
    const s = k.series(service, host, m.name);
    if (s) out.push(s);
  }
  return out;
}

/** The pool can be read per server (it exists and no override applies to it: overrides depend on the whole pool). */
const perServer = (k: KeyedStatus, name: string): boolean => k.servers?.(name, []) != null;

/**
 * A pool the reading would read whole (`all`: every pool, for a new worker; else a service mark)
 * pushed as jobs instead: false when small, empty, or with overrides (they depend on the whole
 * pool: read whole now). A marked pool whose hosts the worker has goes in place; any other whole.
 */
export function inPieces(k: KeyedStatus, name: string, all: boolean, jobs: DeltaJob[], sent?: SentLists): boolean {
  const hosts = k.hosts?.(name);
  if (!hosts || hosts.length < PIECES_FROM || !perServer(k, name)) return false;
  if (!all && sent?.sameHosts(name, hosts)) {
    jobs.push({ service: name, hosts, inPlace: { from: 0 } });
    return true;
  }
  jobs.push({ service: name, hosts, whole: { from: 0, of: hosts.length } });
  sent?.begin(name);
  return true;
}

const num = (v: number | null): number => (v === null ? NaN : v);
const orNull = (v: number): number | null => (Number.isNaN(v) ? null : v);

type Served = { host: string; monitors: readonly MonitorStatus[] };

/** The monitors of `got` packed; each host's series from `series` (null: unchanged). */
function encodeMonitors(service: string, got: readonly Served[], series: (s: Served) => CheckSeries[] | null): CounterDelta {
  let entries = 0;
  for (const g of got) entries += g.monitors.length;
  const d: Omit<CounterDelta, 'series'> = {
    service, hosts: [], first: new Uint32Array(got.length + 1), monitor: new Uint16Array(entries), names: [],
    values: new Float64Array(entries * COUNTER_STRIDE), reasons: [],
  };
  const perHost: (CheckSeries[] | null)[] = [];
  const index = new Map<string, number>();
  let e = 0;
  got.forEach((g, i) => {
    d.hosts.push(g.host);
    d.first[i] = e;
    for (const m of g.monitors) {
      let n = index.get(m.name);
      if (n === undefined) { n = d.names.length; index.set(m.name, n); d.names.push(m.name); }
      d.monitor[e] = n;
      const o = e * COUNTER_STRIDE, v = d.values;
      v[o] = m.up === null ? NaN : m.up ? 1 : 0; v[o + 1] = num(m.since); v[o + 2] = num(m.durationMs);
      v[o + 3] = m.upTransitions; v[o + 4] = m.downTransitions; v[o + 5] = m.upResults; v[o + 6] = m.downResults;
      d.reasons.push(m.reason);
      e++;
    }
    perHost.push(series(g));
  });
  d.first[got.length] = e;
  return { ...d, series: packSeries(perHost) };
}

export function encodeCounters(k: KeyedStatus, service: string, hosts: Iterable<string>): CounterDelta | null {
  const got: Served[] = [];
  for (const host of hosts) {
    const monitors = k.monitors(service, host);
    if (monitors) got.push({ host, monitors });
  }
  return got.length ? encodeMonitors(service, got, (g) => seriesOf(k, service, g.host, g.monitors)) : null;
}

/** Host i's monitors, rebuilt from a CounterDelta (the worker's side of encodeCounters). */
export function decodeMonitors(d: CounterDelta, i: number): MonitorStatus[] {
  // sized up front: an array grown by push keeps room for 17 (~130 B wasted a server in the worker's copy)
  const from = d.first[i]!, out = new Array<MonitorStatus>(d.first[i + 1]! - from), v = d.values;
  for (let k = 0; k < out.length; k++) {
    const e = from + k, o = e * COUNTER_STRIDE;
    out[k] = {
      name: d.names[d.monitor[e]!]!, up: Number.isNaN(v[o]!) ? null : v[o] === 1, reason: d.reasons[e]!,
      since: orNull(v[o + 1]!), durationMs: orNull(v[o + 2]!), upTransitions: v[o + 3]!, downTransitions: v[o + 4]!, upResults: v[o + 5]!, downResults: v[o + 6]!,
    };
  }
  return out;
}

/**
 * Work left for a reading's later parts (delta-parts.ts lazyParts), read when its part is posted:
 * servers of one service whose counters alone changed; or a piece of a large pool (delta-pieces.ts):
 * `whole`, servers [from, from + hosts.length) of a pool of `of` sent whole; `inPlace`, servers
 * from `from` of a pool whose list the worker has, sent as objects by host; `moved`, states.
 */
export interface DeltaJob {
  service: string; hosts: string[]; whole?: { from: number; of: number }; inPlace?: { from: number };
  /** Servers whose state moved (a transition), as a partial StatesDelta; `marked`: the service's servers that counted a result. */
  moved?: { marked?: ReadonlySet<string> };
}

/**
 * The delta for what `changes` names: for service marks whole pools, or their states by position
 * when `sent` (the lists this worker has) says it already has the same servers; counters for server marks.
 * `jobs`: the servers whose counters alone changed go there instead of into `counters`, to be
 * encoded part by part (delta-parts.ts lazyParts: a reading's 10,000 counters were one 75–150 ms
 * block), and so do large pools read whole (inPieces).
 */
export function buildDelta(
  src: StatusSource, k: KeyedStatus, changes: Changes, loopLag: LoopLag | null, sent?: SentLists, jobs?: DeltaJob[],
): StatusDelta {
  const order = k.services();
  const pools: PoolDelta[] = [];
  const states: StatesDelta[] = [];
  const counters: CounterDelta[] = [];
  const countersOf = (service: string, hosts: Iterable<string>): void => {
    if (jobs) { const list = [...hosts]; if (list.length) jobs.push({ service, hosts: list }); return; }
    const c = encodeCounters(k, service, hosts);
    if (c) counters.push(c);
  };
  sent?.keep(order);
  for (const name of order) {
    const marked = changes.servers.get(name);
    const moved = changes.all || changes.services.has(name) ? undefined : changes.states.get(name);
    // A transition's servers alone, when the pool can be read per server (not with overrides: then
    // whole); many of them (a rack lost) as jobs, read piece by piece.
    const piecewise = moved && jobs && moved.size >= PIECES_FROM && perServer(k, name);
    const part = moved && k.servers && !piecewise ? k.servers(name, moved) : null;
    if (piecewise) jobs.push({ service: name, hosts: [...moved], moved: marked ? { marked } : {} });
    else if (part) states.push(encodeMoved(k, name, part, marked));
    if (piecewise || part) {
      if (marked) countersOf(name, [...marked].filter((h) => !moved!.has(h)));
    } else if (changes.all || changes.services.has(name) || moved) {
      if (jobs && inPieces(k, name, changes.all, jobs, sent)) continue;
      const pool = k.pool(name);
      if (!pool) continue;
      if (changes.all) sent?.sent(pool);
      else if (sent?.compactable(pool)) {
        states.push({ states: encodeStates(pool), counters: encodeMonitors(name, pool.servers, seriesIf(k, name, marked)) });
        continue;
      }
      const series: CheckSeries[] = [];
      for (const s of pool.servers) series.push(...seriesOf(k, name, s.host, s.monitors));
      pools.push({ pool, series });
    } else if (marked) countersOf(name, marked);
  }
  const base: StatusDelta['base'] = {
    coordinator: k.summary(), bgp: src.bgp(), ipvs: src.ipvs?.() ?? null, startedAt: src.startedAt, now: src.now(), loopLag,
    ...(src.reload ? { reload: src.reload() } : {}),
    ...(src.schedule ? { schedule: src.schedule() } : {}),
    ...(src.events ? { events: src.events() } : {}),
    ...(src.gc ? { gc: src.gc() } : {}),
  };
  const histograms = k.histograms?.();
  return { base, order, pools, ...(states.length ? { states } : {}), counters, ...(histograms ? { histograms } : {}) };
}

/** A transition's servers (`part`: the pool's summary and those servers) as a partial StatesDelta; `marked`: those that counted a result. */
export function encodeMoved(k: KeyedStatus, name: string, part: PoolStatus, marked: ReadonlySet<string> | undefined): StatesDelta {
  return { states: encodeStates(part), counters: encodeMonitors(name, part.servers, seriesIf(k, name, marked)), partial: true };
}

/** The series of servers that counted a result (`marked`); for the others only a forgotten one (a monitor removed) is news. */
function seriesIf(k: KeyedStatus, service: string, marked: ReadonlySet<string> | undefined): (g: Served) => CheckSeries[] | null {
  return (g) => {
    const series = seriesOf(k, service, g.host, g.monitors);
    return marked?.has(g.host) || series.length === 0 ? series : null;
  };
}
