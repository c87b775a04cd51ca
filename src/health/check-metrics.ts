/**
 * What every check result leaves for /metrics, as plain data: PyBal's per-monitor series (the last
 * duration per label set, IdleConnection's connection counts; PYBAL.md §3.2–3.5) and a check-latency
 * histogram per (service, monitor). Pure: the health adapter feeds it, the API renders it.
 */
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
}

export interface CheckHistogram {
  service: string;
  monitor: string;
  /** Cumulative counts, one per CHECK_BUCKETS_S bound. */
  buckets: number[];
  count: number;
  sumSeconds: number;
}

export interface CheckMetricsStatus {
  series: CheckSeries[];
  histograms: CheckHistogram[];
}

interface Entry {
  service: string; host: string; monitor: string; durations: Map<string, CheckDuration>; connections?: CheckSeries['connections'];
  /** Its slot in the latency rings, and every result counted (the ring's write position). */
  slot: number; checks: number;
}

const resultOf = (up: boolean): CheckDuration['result'] => (up ? 'successful' : 'failed');

/** RunCommand's exit code from the monitor's details; timeouts, signals and spawn errors have none. */
function exitcode(r: CheckResult): string {
  const code = r.details?.exitCode;
  return typeof code === 'number' && code >= 0 && !r.details?.signal ? String(code) : 'None';
}

export class CheckMetrics {
  private readonly entries = new Map<string, Entry>();
  private readonly histograms = new Map<string, CheckHistogram>();
  private readonly rings = new LatencyRings();

  record(service: string, host: string, monitor: string, r: CheckResult): void {
    this.observe(service, monitor, r.ms / 1000);
    const key = `${service}\0${host}\0${monitor}`;
    let e = this.entries.get(key);
    if (!e) { e = { service, host, monitor, durations: new Map(), slot: this.rings.alloc(), checks: 0 }; this.entries.set(key, e); }
    this.rings.put(e.slot, e.checks++, r.ms);
    const set = (d: CheckDuration): void => { e.durations.set(`${d.result}\0${d.url ?? ''}\0${d.exitcode ?? ''}`, d); };
    // The label sets PyBal 1.15 sets (monitors/{proxyfetch,dnsquery,runcommand}.py).
    if (monitor === 'ProxyFetch') for (const q of r.requests ?? []) set({ result: resultOf(q.up), url: q.url, seconds: q.ms / 1000 });
    else if (monitor === 'DNSQuery') set({ result: resultOf(r.up), seconds: r.ms / 1000 });
    else if (monitor === 'RunCommand') set({ result: resultOf(r.up), exitcode: exitcode(r), seconds: r.ms / 1000 });
    if (r.connections) e.connections = { failed: { ...r.connections.failed }, lost: { ...r.connections.lost } };
  }

  /** A server left the pool: its series go (the histograms keep counting for the service). */
  forget(service: string, host: string): void {
    for (const [k, e] of this.entries) if (e.service === service && e.host === host) this.drop(k, e);
  }

  /** A service left the configuration. */
  forgetService(service: string): void {
    for (const [k, e] of this.entries) if (e.service === service) this.drop(k, e);
    for (const [k, h] of this.histograms) if (h.service === service) this.histograms.delete(k);
  }

  status(): CheckMetricsStatus {
    return {
      series: [...this.entries.values()].map((e) => this.seriesOf(e)),
      histograms: this.histogramList(),
    };
  }

  /** The histograms alone, O(services × monitors). */
  histogramList(): CheckHistogram[] { return [...this.histograms.values()].map((h) => ({ ...h, buckets: [...h.buckets] })); }

  /** One label set's series, or null before its first result (the API's delta, issue 13). */
  series(service: string, host: string, monitor: string): CheckSeries | null {
    const e = this.entries.get(`${service}\0${host}\0${monitor}`);
    return e ? this.seriesOf(e) : null;
  }

  private seriesOf(e: Entry): CheckSeries {
    return {
      service: e.service, host: e.host, monitor: e.monitor, durations: [...e.durations.values()].map((d) => ({ ...d })),
      recentMs: this.rings.values(e.slot, e.checks),
      ...(e.connections ? { connections: { failed: { ...e.connections.failed }, lost: { ...e.connections.lost } } } : {}),
    };
  }

  private drop(key: string, e: Entry): void {
    this.entries.delete(key);
    this.rings.release(e.slot);
  }

  private observe(service: string, monitor: string, seconds: number): void {
    const key = `${service}\0${monitor}`;
    let h = this.histograms.get(key);
    if (!h) { h = { service, monitor, buckets: CHECK_BUCKETS_S.map(() => 0), count: 0, sumSeconds: 0 }; this.histograms.set(key, h); }
    const s = Number.isFinite(seconds) && seconds > 0 ? seconds : 0;
    CHECK_BUCKETS_S.forEach((b, i) => { if (s <= b) h.buckets[i]!++; });
    h.count++;
    h.sumSeconds += s;
  }
}
