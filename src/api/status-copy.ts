/**
 * The API worker's own copy of the status, kept current by deltas (status-delta.ts) so that a
 * reading costs the main thread only what changed. A changed server gets a new object and an
 * unchanged one keeps its own (nothing to allocate). Pure.
 */
import type { PoolStatus, ServerStatus } from '../coordinator/status.js';
import type { CheckSeries } from '../health/index.js';
import { unpackSeries } from './series-pack.js';
import { decodeState, sameState, type ServerExtras } from './state-delta.js';
import { decodeMonitors, type PoolDelta, type PoolReplace, type StatesDelta, type StatusDelta } from './status-delta.js';
import type { StatusSnapshot } from './types.js';

interface PoolCopy {
  pool: Omit<PoolStatus, 'servers'>;
  servers: Map<string, ServerStatus>;
  /** Per host, its series (one per monitor with a result). */
  series: Map<string, CheckSeries[]>;
  /** The assembled PoolStatus, until something in the pool changes. */
  built: PoolStatus | null;
}

function poolCopy({ pool, series }: PoolDelta): PoolCopy {
  const { servers, ...rest } = pool;
  const p: PoolCopy = { pool: rest, servers: new Map(), series: new Map(), built: null };
  addServers(p, servers, series);
  return p;
}

/** Series by host (one per monitor with a result). */
function byHost(series: readonly CheckSeries[]): Map<string, CheckSeries[]> {
  const out = new Map<string, CheckSeries[]>();
  for (const c of series) {
    const list = out.get(c.host);
    if (list) list.push(c); else out.set(c.host, [c]);
  }
  return out;
}

/** A pool's servers, or a part of them (a host comes in one part only). */
function addServers(p: PoolCopy, servers: readonly ServerStatus[], series: readonly CheckSeries[]): void {
  for (const s of servers) p.servers.set(s.host, s);
  for (const [host, list] of byHost(series)) p.series.set(host, list);
}

export class StatusCopy {
  private pools = new Map<string, PoolCopy>();
  /** Pools coming in parts (PoolDelta.more): shown once their last part is in, the old copy until then. */
  private staged = new Map<string, PoolCopy>();
  private base: StatusDelta['base'] | null = null;
  private histograms: StatusDelta['histograms'];
  private series: CheckSeries[] | null = null;
  private full: StatusSnapshot | null = null;

  get ready(): boolean { return this.base !== null || this.full !== null; }

  /** Realservers in the copy (the worker keeps /metrics rendered past a size). */
  get serverCount(): number {
    let n = 0;
    if (this.full) for (const p of this.full.coordinator.pools) n += p.servers.length;
    for (const p of this.pools.values()) n += p.servers.size;
    return n;
  }

  /** A whole snapshot (a source without keyed access): it replaces the copy. */
  replace(snap: StatusSnapshot): void {
    this.full = snap;
    this.base = null;
    this.pools.clear();
    this.staged.clear();
  }

  apply(d: StatusDelta): void {
    this.full = null;
    this.base = d.base;
    this.histograms = d.histograms;
    this.series = null;
    const sent = new Map<string, PoolCopy>();
    for (const p of d.pools) {
      this.staged.delete(p.pool.name);
      (p.more ? this.staged : sent).set(p.pool.name, poolCopy(p));
    }
    for (const a of d.appends ?? []) {
      const p = this.staged.get(a.service);
      if (!p) continue; // its first part was lost with a failed reading: the next one sends it whole
      addServers(p, a.servers, a.series);
      if (a.more) continue;
      this.staged.delete(a.service);
      sent.set(a.service, p);
    }
    const next = new Map<string, PoolCopy>();
    for (const name of d.order) {
      const p = sent.get(name) ?? this.pools.get(name);
      if (p) next.set(name, p);
    }
    this.pools = next;
    for (const name of this.staged.keys()) if (!d.order.includes(name)) this.staged.delete(name); // a service gone mid-way
    for (const r of d.replaces ?? []) this.applyReplace(r);
    for (const st of d.states ?? []) this.applyStates(st);
    for (const c of d.counters) {
      const p = this.pools.get(c.service);
      if (!p) continue;
      c.hosts.forEach((host, i) => {
        const s = p.servers.get(host);
        if (!s) return;
        p.servers.set(host, { ...s, monitors: decodeMonitors(c, i) }); // counters only: a transition marks the whole service
        const series = unpackSeries(c.series, i, c.service, host) ?? [];
        if (series.length) p.series.set(host, series);
        else p.series.delete(host);
        p.built = null;
      });
    }
  }

  /** Servers of a list the worker has, by host (delta-pieces.ts); one the same as the worker's keeps its object. */
  private applyReplace({ pool, servers, series }: PoolReplace): void {
    const p = this.pools.get(pool.name);
    if (!p) return;
    p.pool = pool;
    p.built = null;
    const bySeries = byHost(series);
    for (const s of servers) {
      const prev = p.servers.get(s.host);
      if (!prev) continue; // not in the worker's list: the main thread sends the pool whole next
      if (!(sameState(s, prev) && s.ip === prev.ip && s.port === prev.port)) p.servers.set(s.host, s);
      const own = bySeries.get(s.host);
      if (own) p.series.set(s.host, own); else p.series.delete(s.host);
    }
  }

  /**
   * A service's states by position over the list the worker has (the main thread checked it is the
   * same), or for a partial delta over the hosts it names (the list is unchanged: a list edit goes whole).
   */
  private applyStates({ states, counters, partial }: StatesDelta): void {
    const p = this.pools.get(states.pool.name);
    if (!p) return;
    p.pool = states.pool;
    p.built = null;
    const extras = new Map<number, ServerExtras>(states.extras.map((e) => [e.i, e.x]));
    const one = (i: number, host: string, prev: ServerStatus): void => {
      const s = decodeState(states, i, prev, extras.get(i), decodeMonitors(counters, i));
      if (!sameState(s, prev)) p.servers.set(host, s); // an unchanged server keeps its object
      const series = unpackSeries(counters.series, i, counters.service, host);
      if (series?.length) p.series.set(host, series);
      else if (series) p.series.delete(host);
    };
    if (partial) {
      counters.hosts.forEach((host, i) => { const prev = p.servers.get(host); if (prev) one(i, host, prev); });
      return;
    }
    let i = 0;
    for (const [host, prev] of p.servers) one(i++, host, prev);
  }

  /** The status as one snapshot, services in the main thread's order. */
  snapshot(): StatusSnapshot {
    if (this.full) return this.full;
    if (!this.base) throw new Error('no status from the main thread yet');
    const pools: PoolStatus[] = [];
    for (const p of this.pools.values()) {
      p.built ??= { ...p.pool, servers: [...p.servers.values()] };
      pools.push(p.built);
    }
    const { coordinator, ...rest } = this.base;
    const snap: StatusSnapshot = { ...rest, coordinator: { pools, ...coordinator } };
    if (this.histograms) {
      this.series ??= [...this.pools.values()].flatMap((p) => [...p.series.values()].flat());
      snap.checks = { series: this.series, histograms: this.histograms };
    }
    return snap;
  }
}
