/**
 * The coordinator's HealthPort on top of the health runner: one runner per service (transitions
 * then know their service), one monitor instance per configured monitor of the service.
 */
import { toMonitorValue, type MonitorConfig, type ServiceConfig } from '../../config/index.js';
import type { HealthPort, HealthTarget } from '../../coordinator/types.js';
import {
  CheckMetrics, createMonitor, HealthRunner, type CheckResult, type Monitor, type MonitorOptions, type OptionValue,
  type ServiceSchedule,
} from '../../health/index.js';
import type { MonitorDeps } from '../../health/index.js';
import type { Logger } from '../../log/logger.js';
import type { Clock } from '../../time/clock.js';
import { dataPathUnavailable } from '../../health/datapath/privilege.js';

export interface MonitorResultSink {
  /** A transition (including the first result). */
  (service: string, host: string, monitor: string, res: { up: boolean; reason: string; durationMs: number }): void;
}

/** Every result, for the *_results_total counters and the last down reason. */
export type ResultCounter = (service: string, host: string, monitor: string, result: CheckResult) => void;

/** The health module's options from the config's parsed values (server refs become `server.host` text). */
export function monitorOptions(m: MonitorConfig, service: string): MonitorOptions {
  const out: Record<string, OptionValue> = {};
  for (const [k, v] of Object.entries(m.options)) {
    if (v === null) continue;
    const x = toMonitorValue(v);
    if (x === null) throw new Error(`[${service}] ${m.kind}: option ${k} has a value monitors cannot use: ${JSON.stringify(v)}`);
    out[k] = x;
  }
  out.rise = m.rise;
  out.fall = m.fall;
  return out;
}

/**
 * Builds the monitors of a service; the error names the service and the option. `file`: the
 * config's path, for `file:line` in the refusal of an option this process cannot honour.
 */
export function buildMonitors(s: ServiceConfig, deps: MonitorDeps, file = 'config'): { monitors: Monitor[] } | { error: string } {
  const monitors: Monitor[] = [];
  const seen = new Set<string>();
  for (const m of s.monitors) {
    if (seen.has(m.name)) continue;
    seen.add(m.name);
    const cannot = privilegeRefusal(s, m);
    if (cannot) return { error: `${file}:${s.line}: [${s.name}] ${cannot}` };
    let opts: MonitorOptions;
    try {
      opts = monitorOptions(m, s.name);
    } catch (e) {
      return { error: e instanceof Error ? e.message : String(e) };
    }
    const r = createMonitor(m.name, opts, { ...deps, service: { vip: s.ip, forwarding: s.forwarding } });
    if (!r.ok) return { error: `[${s.name}] line ${s.line}: ${r.error}` };
    monitors.push(r.value);
  }
  return { monitors };
}

/**
 * Issue 16 §3, blast radius: `tcp.via-vip` in a process without CAP_NET_RAW or the addon would fail
 * every check of the service and withdraw its VIP, so it is refused where it can be known (start,
 * reload, check-config), naming the service; null when the monitor needs nothing it lacks.
 */
export function privilegeRefusal(s: ServiceConfig, m: MonitorConfig): string | null {
  return m.kind === 'tcp' && m.options['via-vip'] === true ? dataPathUnavailable('tcp.via-vip') : null;
}

/** The alert source of a service whose checks cannot be made (no verdict): `no-verdict:<service>`. */
export const noVerdictSource = (service: string): string => `no-verdict:${service}`;

interface ServiceHealth { runner: HealthRunner; monitors: Monitor[]; targets: Map<string, HealthTarget> }

export class HealthAdapter implements HealthPort {
  private readonly services = new Map<string, ServiceHealth>();
  /** Every result's durations and counts, for /metrics. */
  readonly checks = new CheckMetrics();

  /** Per service, the `monitor host` pairs whose last result was no verdict (the alert stands while any is). */
  private readonly noVerdict = new Map<string, Set<string>>();

  constructor(
    private readonly clock: Clock, private readonly log: Logger, private readonly sink: MonitorResultSink,
    private readonly count: ResultCounter = () => {},
    /** Raises (message) or clears (null) an alert; a check that cannot be made is an alert, not a down. */
    private readonly alert: (source: string, message: string | null) => void = () => {},
  ) {}

  /** (Re)defines a service's monitors; running targets move to the new monitors. */
  setMonitors(service: string, monitors: Monitor[]): void {
    const old = this.services.get(service);
    const targets = old ? [...old.targets.values()] : [];
    if (old) this.dropService(service);
    const runner = new HealthRunner({
      clock: this.clock, logger: this.log.child({ service }),
      onTransition: (t) => this.sink(service, t.target.host, t.monitor, { up: t.up, reason: t.reason, durationMs: t.ms }),
      onResult: (target, monitor, r, learned) => {
        this.verdict(service, target.host, monitor, r);
        if (r.noVerdict) return;
        this.checks.record(service, target.host, monitor, r, learned);
        this.count(service, target.host, monitor, r);
      },
    });
    this.services.set(service, { runner, monitors, targets: new Map() });
    for (const t of targets) this.start(t);
  }

  /** A no-verdict result raises the service's alert (once); it clears when every such check has given a real result again. */
  private verdict(service: string, host: string, monitor: string, r: CheckResult): void {
    const set = this.noVerdict.get(service);
    if (!set && !r.noVerdict) return; // the usual case: nothing to raise or clear, no key built per check
    const key = `${monitor} ${host}`;
    if (r.noVerdict) {
      if (set?.has(key)) return;
      this.noVerdict.set(service, (set ?? new Set()).add(key));
      if (set) return; // raised already (the set is never kept empty)
      const msg = `${service}: ${monitor} checks cannot be made, no verdict (servers keep their state): ${r.reason}`;
      this.log.error(msg, { service, server: host, monitor });
      this.alert(noVerdictSource(service), msg);
    } else if (set?.delete(key) && set.size === 0) {
      this.noVerdict.delete(service);
      this.log.info(`${service}: ${monitor} checks can be made again`, { service, monitor });
      this.alert(noVerdictSource(service), null);
    }
  }

  dropService(service: string): void {
    const s = this.services.get(service);
    if (!s) return;
    if (this.noVerdict.delete(service)) this.alert(noVerdictSource(service), null);
    s.runner.stop();
    for (const m of s.monitors) m.close?.();
    this.services.delete(service);
    this.checks.forgetService(service);
  }

  start(target: HealthTarget): void {
    const s = this.services.get(target.service);
    if (!s) return;
    this.stop(target.service, target.host);
    s.targets.set(target.host, target);
    for (const m of s.monitors) s.runner.add({ host: target.host, ip: target.ip, port: target.port }, m);
  }

  stop(service: string, host: string): void {
    const s = this.services.get(service);
    const t = s?.targets.get(host);
    if (!s || !t) return;
    s.targets.delete(host);
    for (const m of s.monitors) s.runner.remove({ host: t.host, ip: t.ip, port: t.port }, m);
    this.checks.forget(service, host);
    const nv = this.noVerdict.get(service);
    if (nv) for (const m of s.monitors) this.verdict(service, host, m.kind, { up: true, reason: 'server removed', ms: 0 });
  }

  /** Each service's check schedule: lag, late and missed checks, first round (counters restart when its monitors change). */
  schedule(): ServiceSchedule[] {
    return [...this.services].map(([service, s]) => {
      const r = s.runner.stats();
      return { service, ...s.runner.scheduleStats(), learned: { held: r.learnedHeld, ceiling: r.learnedToCeiling, answered: r.learnedRescued } };
    });
  }

  stopAll(): void {
    for (const name of [...this.services.keys()]) this.dropService(name);
  }
}
