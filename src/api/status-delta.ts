/**
 * The status as deltas (issue 13): the main thread sends the API worker only what changed since the
 * last reading, keyed by service and server, so its cost per reading grows with the changes, not
 * with the number of realservers. Marks come from the coordinator (a service's structure: pooled,
 * up, weights, the list itself) and from every check result (one server's monitor counters and
 * check series). Everything else (BGP, VIPs, alerts, schedule…) is small and sent whole each time.
 * Pure: the caller supplies a KeyedStatus; the worker applies deltas with StatusCopy.
 */
import type { CoordinatorStatus, MonitorStatus, PoolStatus } from '../coordinator/status.js';
import type { CheckMetricsStatus, CheckSeries } from '../health/index.js';

type CheckHistogram = CheckMetricsStatus['histograms'][number];
import type { Changes, KeyedStatus, LoopLag, StatusSnapshot, StatusSource } from './types.js';

/** One server whose counters changed (not its state: that marks its service). */
export interface ServerDelta { service: string; host: string; monitors: MonitorStatus[]; series: CheckSeries[] }

/** A pool sent whole, with every server's series. */
export interface PoolDelta { pool: PoolStatus; series: CheckSeries[] }

export interface StatusDelta {
  /** Everything but the pools' servers and the check series, sent whole. */
  base: Omit<StatusSnapshot, 'coordinator' | 'checks'> & { coordinator: Omit<CoordinatorStatus, 'pools'> };
  /** Service names in order; a service not named is gone. */
  order: string[];
  pools: PoolDelta[];
  servers: ServerDelta[];
  /** Check histograms (per service and monitor), undefined without health checks. */
  histograms?: CheckHistogram[];
}

/** What changed since the last delta; marks are O(1). */
export class ChangeTracker {
  private all = true;
  private readonly services = new Set<string>();
  private readonly servers = new Map<string, Set<string>>();

  /** A service's structure changed (null: every service, e.g. overrides or a reload). */
  service(name: string | null): void {
    if (name === null) this.all = true;
    else this.services.add(name);
  }

  /** A server's counters or check series changed. */
  server(service: string, host: string): void {
    if (this.all || this.services.has(service)) return;
    let s = this.servers.get(service);
    if (!s) { s = new Set(); this.servers.set(service, s); }
    s.add(host);
  }

  /** The marks since the last drain, cleared. */
  drain(): Changes {
    const out = { all: this.all, services: new Set(this.services), servers: new Map(this.servers) };
    this.all = false;
    this.services.clear();
    this.servers.clear();
    return out;
  }
}

function seriesOf(k: KeyedStatus, service: string, host: string, monitors: readonly MonitorStatus[]): CheckSeries[] {
  const out: CheckSeries[] = [];
  if (!k.series) return out;
  for (const m of monitors) {
    const s = k.series(service, host, m.name);
    if (s) out.push(s);
  }
  return out;
}

/** The delta for what `changes` names: whole pools for service marks, counters for server marks. */
export function buildDelta(
  src: StatusSource, k: KeyedStatus, changes: Changes, loopLag: LoopLag | null,
): StatusDelta {
  const order = k.services();
  const pools: PoolDelta[] = [];
  const servers: ServerDelta[] = [];
  for (const name of order) {
    if (changes.all || changes.services.has(name)) {
      const pool = k.pool(name);
      if (!pool) continue;
      const series: CheckSeries[] = [];
      for (const s of pool.servers) series.push(...seriesOf(k, name, s.host, s.monitors));
      pools.push({ pool, series });
      continue;
    }
    for (const host of changes.servers.get(name) ?? []) {
      const monitors = k.monitors(name, host);
      if (monitors) servers.push({ service: name, host, monitors, series: seriesOf(k, name, host, monitors) });
    }
  }
  const base: StatusDelta['base'] = {
    coordinator: k.summary(), bgp: src.bgp(), ipvs: src.ipvs?.() ?? null, startedAt: src.startedAt, now: src.now(), loopLag,
    ...(src.reload ? { reload: src.reload() } : {}),
    ...(src.schedule ? { schedule: src.schedule() } : {}),
    ...(src.events ? { events: src.events() } : {}),
  };
  const histograms = k.histograms?.();
  return { base, order, pools, servers, ...(histograms ? { histograms } : {}) };
}
