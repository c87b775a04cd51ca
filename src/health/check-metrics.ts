/**
 * What every check result leaves for /metrics, as plain data: PyBal's per-monitor series (the last
 * duration per label set, IdleConnection's connection counts; PYBAL.md §3.2–3.5) and a check-latency
 * histogram per (service, monitor). Pure: the health adapter feeds it, the API renders it.
 */
import type { LearnedTimeout } from './adaptive-timeout.js';
import { LATENCY_SAMPLES, LatencyRings } from './latency-rings.js';
import type { CheckResult } from './monitor.js';

export { LATENCY_SAMPLES };

/** Upper bounds (seconds) of the check-latency histogram; +Inf is implied. */
export const CHECK_BUCKETS_S: readonly number[] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/** One of PyBal's duration gauges: the last value for this label set. */
export interface CheckDuration {
  result: 'successful' | 'failed';
  /** ProxyFetch's `url` label. */
  url?: string;
  /** RunCommand's `exitcode` label: the code, or `None` (prometheus_client's text for Python's None) when the process did not exit by itself. */
  exitcode?: string;
  seconds: number;
}

export interface CheckSeries {
  service: string;
  host: string;
  monitor: string;
  durations: CheckDuration[];
  connections?: { failed: Record<string, number>; lost: Record<string, number> };
  /** The last checks' durations in ms, oldest first (at most LATENCY_SAMPLES): the status page's sparkline. */
  recentMs?: number[];
  /** `timeout = auto` (adaptive-timeout.ts): the next check's deadline and the window's p99. */
  learned?: LearnedTimeout;
}

/**
 * `timeout = auto`: how the current learned deadlines of a service's servers spread, per monitor:
 * servers per CHECK_BUCKETS_S bound (cumulative; `count` is +Inf) and their sum. O(services ×
 * monitors) series on /metrics, whatever the number of servers; each server's own is in /pools.
 */
export interface LearnedTimeouts {
  buckets: number[];
  count: number;
  sumSeconds: number;
}

export interface CheckHistogram {
  service: string;
  monitor: string;
  /** Cumulative counts, one per CHECK_BUCKETS_S bound. */
  buckets: number[];
  count: number;
  sumSeconds: number;
  /** Present while some server of it runs under `timeout = auto`. */
  learned?: LearnedTimeouts;
}

export interface CheckMetricsStatus {
  series: CheckSeries[];
  histograms: CheckHistogram[];
}

interface Entry {
  service: string; host: string; monitor: string;
  /** The label sets seen, in order; a new result updates its set's value in place (a handful per series). */
  durations: CheckDuration[];
  connections?: CheckSeries['connections'];
  /** Its slot in the latency rings, and every result counted (the ring's write position). */
  slot: number; checks: number;
  learned?: LearnedTimeout;
  /** The same host's entry for its next monitor (a server has one to a few). */
  next: Entry | null;
}

/**
 * service → host → its entries, chained by monitor: found from the strings the runner already holds,
 * no key built per check. A Map per host for its one to few monitors was a third of the main
 * thread's check data at 10,000 realservers (3.3 MB).
 */
type Tree = Map<string, Map<string, Entry>>;

const resultOf = (up: boolean): CheckDuration['result'] => (up ? 'successful' : 'failed');

/** RunCommand's exit code from the monitor's details; timeouts, signals and spawn errors have none. */
function exitcode(r: CheckResult): string {
  const code = r.details?.exitCode;
  return typeof code === 'number' && code >= 0 && !r.details?.signal ? String(code) : 'None';
}

export class CheckMetrics {
  private readonly entries: Tree = new Map();
  private readonly histograms = new Map<string, Map<string, CheckHistogram>>();
  private readonly rings = new LatencyRings();

  record(service: string, host: string, monitor: string, r: CheckResult, learned: LearnedTimeout | null = null): void {
    const h = this.observe(service, monitor, r.ms / 1000);
    let byHost = this.entries.get(service);
    if (!byHost) this.entries.set(service, (byHost = new Map()));
    const first = byHost.get(host) ?? null;
    let e = first;
    while (e && e.monitor !== monitor) e = e.next;
    if (!e) {
      e = { service, host, monitor, durations: [], slot: this.rings.alloc(), checks: 0, next: null };
      if (first) { let last = first; while (last.next) last = last.next; last.next = e; } else byHost.set(host, e);
    }
    this.rings.put(e.slot, e.checks++, r.ms);
    if (e.learned) spread(h, e.learned.deadlineMs, -1);
    if (learned) { e.learned = learned; spread(h, learned.deadlineMs, 1); } else delete e.learned;
    // The label sets PyBal 1.15 sets (monitors/{proxyfetch,dnsquery,runcommand}.py).
    if (monitor === 'ProxyFetch') for (const q of r.requests ?? []) setDuration(e, resultOf(q.up), q.url, undefined, q.ms);
    else if (monitor === 'DNSQuery') setDuration(e, resultOf(r.up), undefined, undefined, r.ms);
    else if (monitor === 'RunCommand') setDuration(e, resultOf(r.up), undefined, exitcode(r), r.ms);
    if (r.connections) e.connections = { failed: { ...r.connections.failed }, lost: { ...r.connections.lost } };
  }

  /** A server left the pool: its series go (the histograms keep counting for the service). */
  forget(service: string, host: string): void {
    const byHost = this.entries.get(service);
    const first = byHost?.get(host);
    if (!byHost || !first) return;
    for (let e: Entry | null = first; e; e = e.next) {
      this.rings.release(e.slot);
      const h = this.histograms.get(service)?.get(e.monitor);
      if (e.learned && h) spread(h, e.learned.deadlineMs, -1);
    }
    byHost.delete(host);
  }

  /** A service left the configuration. */
  forgetService(service: string): void {
    for (const first of this.entries.get(service)?.values() ?? []) for (let e: Entry | null = first; e; e = e.next) this.rings.release(e.slot);
    this.entries.delete(service);
    this.histograms.delete(service);
  }

  status(): CheckMetricsStatus {
    const series: CheckSeries[] = [];
    for (const byHost of this.entries.values()) {
      for (const first of byHost.values()) for (let e: Entry | null = first; e; e = e.next) series.push(this.seriesOf(e));
    }
    return { series, histograms: this.histogramList() };
  }

  /** The histograms alone, O(services × monitors). */
  histogramList(): CheckHistogram[] {
    const histograms: CheckHistogram[] = [];
    for (const byMonitor of this.histograms.values()) {
      for (const h of byMonitor.values()) {
        const { learned, ...rest } = h;
        histograms.push({ ...rest, buckets: [...h.buckets], ...(learned?.count ? { learned: { ...learned, buckets: [...learned.buckets] } } : {}) });
      }
    }
    return histograms;
  }

  /** One label set's series, or null before its first result (the API's delta, issue 13). */
  series(service: string, host: string, monitor: string): CheckSeries | null {
    let e = this.entries.get(service)?.get(host) ?? null;
    while (e && e.monitor !== monitor) e = e.next;
    return e ? this.seriesOf(e) : null;
  }

  /** Called every second for every changed series (the API's delta): plain copies, no spreads of temporaries. */
  private seriesOf(e: Entry): CheckSeries {
    const durations: CheckDuration[] = new Array<CheckDuration>(e.durations.length);
    for (let i = 0; i < durations.length; i++) durations[i] = { ...e.durations[i]! };
    const one: CheckSeries = { service: e.service, host: e.host, monitor: e.monitor, durations, recentMs: this.rings.values(e.slot, e.checks) };
    if (e.learned) one.learned = { ...e.learned };
    if (e.connections) one.connections = { failed: { ...e.connections.failed }, lost: { ...e.connections.lost } };
    return one;
  }

  private observe(service: string, monitor: string, seconds: number): CheckHistogram {
    let byMonitor = this.histograms.get(service);
    if (!byMonitor) this.histograms.set(service, (byMonitor = new Map()));
    let h = byMonitor.get(monitor);
    if (!h) byMonitor.set(monitor, (h = { service, monitor, buckets: CHECK_BUCKETS_S.map(() => 0), count: 0, sumSeconds: 0 }));
    const s = Number.isFinite(seconds) && seconds > 0 ? seconds : 0;
    for (let i = 0; i < CHECK_BUCKETS_S.length; i++) if (s <= CHECK_BUCKETS_S[i]!) h.buckets[i]!++;
    h.count++;
    h.sumSeconds += s;
    return h;
  }
}

/** Adds (+1) or takes back (-1) one server's current learned deadline in its histogram's spread. */
function spread(h: CheckHistogram, deadlineMs: number, sign: 1 | -1): void {
  const l = (h.learned ??= { buckets: CHECK_BUCKETS_S.map(() => 0), count: 0, sumSeconds: 0 });
  const s = deadlineMs / 1000;
  for (let i = 0; i < CHECK_BUCKETS_S.length; i++) if (s <= CHECK_BUCKETS_S[i]!) l.buckets[i]! += sign;
  l.count += sign;
  l.sumSeconds = l.count ? l.sumSeconds + sign * s : 0;
}

/**
 * The last value of one label set: updated in place; when new, added in a list one longer (a list
 * grown by push keeps room for 17: ~130 B wasted per series).
 */
function setDuration(e: Entry, result: CheckDuration['result'], url: string | undefined, code: string | undefined, ms: number): void {
  for (const d of e.durations) {
    if (d.result === result && d.url === url && d.exitcode === code) { d.seconds = ms / 1000; return; }
  }
  const d: CheckDuration = { result, ...(url !== undefined ? { url } : {}), ...(code !== undefined ? { exitcode: code } : {}), seconds: ms / 1000 };
  e.durations = e.durations.concat(d); // exactly one longer (a spread, like push, leaves room for 17)
}
