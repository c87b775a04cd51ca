/**
 * A service's server states, compactly (issue 13: a whole-service transition, e.g. every one of
 * 10,000 backends down, went to the API worker as 10,000 objects). When a marked service still has
 * the servers the worker last got (same hosts, addresses, ports and monitors, in the same order),
 * the main thread sends their states as numbers by position — flags and weights in typed arrays,
 * monitors as a CounterDelta — and the rare override or black-hole mark as a short list; only a
 * list edit, a re-resolution, a reload or a new worker sends the pool whole. Pure.
 */
import type { PoolStatus, ServerStatus } from '../coordinator/status.js';

/** Bits of StateDelta.flags, one per boolean of ServerStatus (decodeState reads them as 1, 2, 4…). */
const FLAGS = ['enabled', 'ready', 'up', 'partiallyUp', 'pooled', 'pooledDown'] as const;

/** The per-server fields a StateDelta may leave out: extras are sent only where set. */
export type ServerExtras = Pick<ServerStatus, 'override' | 'blackhole'>;

export interface StateDelta {
  pool: Omit<PoolStatus, 'servers'>;
  /** Per server by position in the list last sent, FLAGS as bits. */
  flags: Uint8Array;
  weights: Float64Array;
  /** The servers with an override or a black-hole mark (every other has neither). */
  extras: { i: number; x: ServerExtras }[];
}

/**
 * What identifies the servers' places in the worker's copy, by position: host, address, port and
 * monitor names (a change sends the pool whole). References to the status's own strings in
 * arrays: a key string per server (`host\0ip\0port\0monitors`) was 6 objects each, 1.9 MB of the
 * main thread's heap at 10,000 realservers, and was built again for every server on each reading.
 */
class ServerList {
  hosts: string[] = [];
  ips: (string | null)[] = [];
  ports: number[] = [];
  /** Per server its monitor's name, or the names when it has none or several. */
  monitors: (string | string[])[] = [];

  get length(): number { return this.hosts.length; }

  set(i: number, s: ServerStatus): void {
    this.hosts[i] = s.host;
    this.ips[i] = s.ip;
    this.ports[i] = s.port;
    this.monitors[i] = s.monitors.length === 1 ? s.monitors[0]!.name : s.monitors.map((m) => m.name);
  }

  /** Server i has the same place as `s`. */
  same(i: number, s: ServerStatus): boolean {
    if (this.hosts[i] !== s.host || this.ips[i] !== s.ip || this.ports[i] !== s.port) return false;
    const names = this.monitors[i]!;
    if (typeof names === 'string') return s.monitors.length === 1 && s.monitors[0]!.name === names;
    return names.length === s.monitors.length && names.every((n, j) => n === s.monitors[j]!.name);
  }

  static of(servers: readonly ServerStatus[]): ServerList {
    const l = new ServerList();
    servers.forEach((s, i) => { l.set(i, s); });
    return l;
  }
}

/**
 * The server lists the worker last got, per service (one per worker: a new worker starts without).
 * `compactable` is true when `pool` has the same list, so its states can go as a StateDelta.
 */
export class SentLists {
  private readonly lists = new Map<string, ServerList>();

  compactable(pool: PoolStatus): boolean {
    const last = this.lists.get(pool.name);
    let same = last !== undefined && last.length === pool.servers.length;
    for (let i = 0; same && i < pool.servers.length; i++) same = last!.same(i, pool.servers[i]!);
    if (!same) this.lists.set(pool.name, ServerList.of(pool.servers));
    return same;
  }

  /** The worker got `pool` whole. */
  sent(pool: PoolStatus): void { this.lists.set(pool.name, ServerList.of(pool.servers)); }

  /** A pool sent whole in pieces: none yet (begin), then each piece's servers as it goes (append). */
  begin(name: string): void { this.lists.set(name, new ServerList()); }
  append(name: string, servers: readonly ServerStatus[]): void {
    const list = this.lists.get(name);
    if (list) for (const s of servers) list.set(list.length, s);
  }

  /** The worker's list of `name` has these hosts, in this order (its servers may differ otherwise). */
  sameHosts(name: string, hosts: readonly string[]): boolean {
    const list = this.lists.get(name);
    if (!list || list.length !== hosts.length) return false;
    for (let i = 0; i < hosts.length; i++) if (list.hosts[i] !== hosts[i]) return false;
    return true;
  }

  /** Servers from position `from` replaced in place (delta-pieces.ts). */
  replaceAt(name: string, from: number, servers: readonly ServerStatus[]): void {
    const list = this.lists.get(name);
    if (list) servers.forEach((s, k) => { if (from + k < list.length) list.set(from + k, s); });
  }

  /** The worker's list of `name` is not known any more: the next reading sends it whole. */
  forget(name: string): void { this.lists.delete(name); }

  /** Only these services remain. */
  keep(names: readonly string[]): void {
    const set = new Set(names);
    for (const n of this.lists.keys()) if (!set.has(n)) this.lists.delete(n);
  }

  clear(): void { this.lists.clear(); }
}

export function encodeStates(pool: PoolStatus): StateDelta {
  const { servers, ...head } = pool;
  const flags = new Uint8Array(servers.length);
  const weights = new Float64Array(servers.length);
  const extras: StateDelta['extras'] = [];
  servers.forEach((s, i) => {
    let f = 0;
    for (let b = 0; b < FLAGS.length; b++) if (s[FLAGS[b]!]) f |= 1 << b;
    flags[i] = f;
    weights[i] = s.weight;
    if (s.override !== undefined || s.blackhole !== undefined) {
      extras.push({ i, x: { ...(s.override !== undefined ? { override: s.override } : {}), ...(s.blackhole !== undefined ? { blackhole: s.blackhole } : {}) } });
    }
  });
  return { pool: head, flags, weights, extras };
}

/** Server `i` of a StateDelta over `prev` (its old state), with `monitors` decoded beside it (one fixed shape: no spread). */
export function decodeState(d: StateDelta, i: number, prev: ServerStatus, extras: ServerExtras | undefined, monitors: ServerStatus['monitors']): ServerStatus {
  const f = d.flags[i]!;
  const next: ServerStatus = {
    host: prev.host, ip: prev.ip, port: prev.port, weight: d.weights[i]!, enabled: (f & 1) !== 0, ready: (f & 2) !== 0,
    up: (f & 4) !== 0, partiallyUp: (f & 8) !== 0, pooled: (f & 16) !== 0, pooledDown: (f & 32) !== 0, monitors,
  };
  if (extras?.override !== undefined) next.override = extras.override;
  if (extras?.blackhole !== undefined) next.blackhole = extras.blackhole;
  return next;
}

/** Whether two states are the same (then the worker keeps the old object). */
export function sameState(a: ServerStatus, b: ServerStatus): boolean {
  if (a.weight !== b.weight || a.enabled !== b.enabled || a.ready !== b.ready || a.up !== b.up || a.partiallyUp !== b.partiallyUp
    || a.pooled !== b.pooled || a.pooledDown !== b.pooledDown || a.monitors.length !== b.monitors.length) return false;
  if ((a.override !== b.override || a.blackhole !== b.blackhole)
    && JSON.stringify([a.override, a.blackhole]) !== JSON.stringify([b.override, b.blackhole])) return false;
  for (let j = 0; j < a.monitors.length; j++) {
    const m = a.monitors[j]!, o = b.monitors[j]!;
    if (m.name !== o.name || m.up !== o.up || m.reason !== o.reason || m.since !== o.since || m.durationMs !== o.durationMs
      || m.upTransitions !== o.upTransitions || m.downTransitions !== o.downTransitions || m.upResults !== o.upResults
      || m.downResults !== o.downResults) return false;
  }
  return true;
}
