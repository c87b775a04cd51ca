/**
 * The coordinator: pool lists and monitor results in; the desired IPVS realservers (per service)
 * and the advertised VIPs out. Decisions flow one way. A change touches only its service; the
 * publisher (publisher.ts) hands the ports what changed, once per tick.
 */
import type { Cancel, Clock } from '../time/clock.js';
import { eachSliced } from '../time/slices.js';
import type { Logger } from '../log/logger.js';
import { describePoolEvent, mergeLines, mergePool, serverDown, serverUp, settle, type PoolEvent } from './depool-policy.js';
import { targetPort } from './effective.js';
import { Publisher } from './publisher.js';
import { RemovalHolds } from './removal-holds.js';
import { resolveServers, reresolveService, type ResolutionHooks } from './resolution.js';
import { ResolveLimiter, type LimiterOptions } from './resolve-limiter.js';
import { dropMonitors, monitorState, newService, resetMonitors, type Service } from './service-state.js';
import type { OverrideSet } from './overrides.js';
import type { InstanceRouting } from './overrides-apply.js';
import { alertSummary, type Alert, type CoordinatorStatus, type MonitorStatus, type PoolStatus } from './status.js';
import { readHosts, readMonitors, readNames, readPool, readServers, readStatus, readSummary, type ReadState } from './status-reads.js';
import type { HealthPort, IpvsPort, PoolServer, Resolver, RouteSpec, ServerState, ServiceSpec, SpeakerPort } from './types.js';

export interface CoordinatorDeps {
  clock: Clock;
  log: Logger;
  health: HealthPort;
  ipvs: IpvsPort;
  /** Absent when BGP is off; VIP decisions are still computed for /vips. */
  speaker?: SpeakerPort;
  resolver: Resolver;
  /** Re-resolve hostnames (and retry failed ones) this often; 0 disables. Default 60 s. */
  resolveIntervalMs?: number;
  /** Look-ups at once, negative cache, report period (defaults: 32, 30 s, 5 min). */
  resolveLimits?: LimiterOptions;
  /** The API's delta marks: a service (host absent; null: every service), a server's counters, or (`state`) its state and pool summary. */
  changed?(service: string | null, host?: string, state?: boolean): void;
}

export interface MonitorResult { up: boolean; reason: string; durationMs?: number }

export class Coordinator {
  private services = new Map<string, Service>();
  private alerts = new Map<string, Alert>();
  private timer: Cancel | null = null;
  private stopped = false;
  private readonly resolver: ResolveLimiter;
  private readonly holds: RemovalHolds;
  private readonly out: Publisher;
  private readonly hooks: ResolutionHooks;

  constructor(private readonly d: CoordinatorDeps) {
    this.resolver = new ResolveLimiter(d.resolver, d.clock, d.resolveLimits);
    const live = (svc: Service): boolean => this.services.get(svc.spec.name) === svc;
    this.out = new Publisher({
      clock: d.clock, log: d.log, ipvs: d.ipvs, ...(d.speaker ? { speaker: d.speaker } : {}), live, ...(d.changed ? { changed: d.changed } : {}),
    });
    this.holds = new RemovalHolds({
      clock: d.clock, log: d.log,
      alert: (source, msg) => { if (msg === null) this.clearAlert(source); else this.raiseAlert(source, 'warning', msg); },
      apply: (service, list) => { const svc = this.services.get(service); if (svc) void this.applyList(svc, list); },
    });
    this.hooks = {
      log: d.log, resolver: this.resolver, live,
      ready: (svc, s) => this.startHealth(svc, s),
      moved: (svc, s) => { this.restartHealth(svc, s); this.out.touch(svc, true); },
    };
  }

  /** Apply a (new) configuration as a difference: untouched services keep their state. */
  configure(specs: ServiceSpec[], route: RouteSpec): void {
    const next = new Map(specs.map((s) => [s.name, s]));
    for (const [name, svc] of this.services) {
      const spec = next.get(name);
      if (!spec || spec.ip !== svc.spec.ip || spec.port !== svc.spec.port || spec.protocol !== svc.spec.protocol) {
        this.removeService(name);
      }
    }
    for (const spec of specs) {
      const svc = this.services.get(spec.name);
      if (!svc) {
        this.services.set(spec.name, newService(spec, this.d.clock.now()));
        this.d.log.info('service added', { service: spec.name, vip: spec.ip, port: spec.port });
        continue;
      }
      const oldNames = svc.spec.monitors;
      const monitorsChanged = spec.monitors.join() !== oldNames.join();
      svc.spec = spec;
      svc.pool.threshold = spec.depoolThreshold;
      if (monitorsChanged) for (const s of svc.pool.servers.values()) if (s.ready) this.restartHealth(svc, s, oldNames);
      this.note(svc, settle(svc.pool));
    }
    this.out.reconfigure([...this.services.values()], route);
    this.out.flush();
  }

  /** Start periodic re-resolution. */
  start(): void {
    const every = this.d.resolveIntervalMs ?? 60_000;
    if (every <= 0 || this.timer) return;
    const tick = (): void => {
      if (this.stopped) return;
      void this.reresolve().finally(() => { if (!this.stopped) this.timer = this.d.clock.setTimer(every, tick); });
    };
    this.timer = this.d.clock.setTimer(every, tick);
  }

  stop(): void {
    this.stopped = true;
    this.timer?.();
    this.timer = null;
    this.out.stop();
    this.holds.endAll();
    for (const svc of this.services.values()) for (const s of svc.pool.servers.values()) this.d.health.stop(svc.spec.name, s.host);
  }

  /** A pool source delivered the complete list of a service; a removal of too many is held. */
  updatePool(service: string, list: PoolServer[]): Promise<void> {
    const svc = this.services.get(service);
    if (!svc) return Promise.resolve();
    return this.applyList(svc, svc.delivered ? this.holds.filter(svc.spec, svc.pool.servers.values(), list) : list);
  }

  /** The operator lets a held pool update go now. */
  confirmPoolRemoval(service: string): { ok: boolean; message: string } {
    return this.services.has(service) ? this.holds.confirm(service) : { ok: false, message: `no service '${service}'` };
  }

  private applyList(svc: Service, list: PoolServer[]): Promise<void> {
    const service = svc.spec.name;
    const firstList = !svc.delivered;
    svc.delivered = true;
    const r = mergePool(svc.pool, list);
    for (const s of r.removed) {
      this.d.health.stop(service, s.host);
      dropMonitors(svc, s);
    }
    this.out.touch(svc, true); // weights, ports and removals: the IPVS list is rebuilt
    // PyBal merges an existing server's weight/enabled and keeps its monitors (PYBAL.md §2, §4.3):
    // a restart here drew a new phase and aborted the running check (the soak's late and missed checks).
    for (const s of r.portChanged) if (s.ready) this.restartHealth(svc, s);
    // a line per server, as PyBal logs them, in slices: 10,000 were one 20–30 ms block (issue 13 §5)
    const log = this.d.log.child({ service });
    const logged = eachSliced(mergeLines(r), ([msg, server]) => log.info(msg, { server }));
    this.note(svc, r.events);
    const done = this.resolve(svc, r.added).then(() => {
      if (firstList) svc.initialized = true;
      this.out.touch(svc, true);
      this.out.flush();
    });
    this.out.flush();
    return Promise.all([logged, done]).then(() => {});
  }

  /** A monitor's result for one server (the first result and every transition); published within the tick. */
  monitorResult(service: string, host: string, monitor: string, res: MonitorResult): void {
    const svc = this.services.get(service);
    const s = svc?.pool.servers.get(host);
    if (!svc || !s || !s.ready) return;
    const m = monitorState(svc, s, monitor);
    if (!m) return;
    if (m.up !== res.up) {
      if (m.up === null) svc.unchecked--;
      if (res.up) m.upTransitions++; else m.downTransitions++;
      m.since = this.d.clock.wallNow();
      m.durationMs = res.durationMs ?? null;
    }
    m.up = res.up;
    m.reason = res.reason;
    if (!res.up) {
      this.d.log.warn(`server down: ${res.reason || '(reason unknown)'}`, { service, server: host, monitor });
      this.note(svc, serverDown(svc.pool, host), host);
    } else if (s.monitors.every((x) => x.up === true) && !s.blackhole) {
      if (!s.up) this.d.log.info('server up', { service, server: host, monitor });
      this.note(svc, serverUp(svc.pool, host), host);
    } else {
      this.note(svc, [], host);
    }
  }

  /**
   * Issue 16 §2, blackhole-action = depool: a black-holed server is down as if a monitor failed
   * (the depool threshold applies); `evidence` null clears it, and it is up again if its monitors are.
   */
  blackhole(service: string, host: string, evidence: string | null): void {
    const svc = this.services.get(service);
    const s = svc?.pool.servers.get(host);
    if (!svc || !s || !s.ready || (s.blackhole ?? null) === evidence) return;
    if (evidence) s.blackhole = evidence; else delete s.blackhole;
    if (evidence) {
      this.d.log.warn(`server down: ${evidence}`, { service, server: host, monitor: 'blackhole' });
      this.note(svc, serverDown(svc.pool, host), host);
    } else if (s.monitors.every((x) => x.up === true)) {
      this.d.log.info('server up: black-hole pattern cleared', { service, server: host });
      this.note(svc, serverUp(svc.pool, host), host);
    } else this.note(svc, [], host);
  }

  /** Counts one check result (every result; transitions come through monitorResult); a down monitor keeps its last failing reason. */
  countResult(service: string, host: string, monitor: string, up: boolean, reason?: string): void {
    const svc = this.services.get(service);
    const s = svc?.pool.servers.get(host);
    const m = svc && s ? monitorState(svc, s, monitor) : undefined;
    if (!m) return;
    if (up) m.upResults++; else m.downResults++;
    if (!up && m.up === false && reason !== undefined) m.reason = reason;
    this.d.changed?.(service, host);
  }

  raiseAlert(source: string, level: Alert['level'], message: string): void {
    this.alerts.set(source, { source, level, message });
  }

  clearAlert(source: string): void { this.alerts.delete(source); }

  /** VIPs this host would drop (canonical address → reason): withheld from BGP until cleared. */
  withholdVips(reasons: ReadonlyMap<string, string>): void {
    const was = this.out.withheld;
    if (reasons.size === was.size && [...reasons].every(([k, v]) => was.get(k) === v)) return;
    this.out.withheld = new Map(reasons);
    this.out.touchVips();
    this.out.flush();
  }

  /** The operator's overrides and the instance's routing (override-control.ts); published within the tick. */
  setOverrides(set: OverrideSet, instance: InstanceRouting): void {
    this.out.setOverrides(set, instance, (name) => this.services.get(name));
    this.out.flush();
  }

  /** Current state (status-reads.ts); `health`: health's own decision instead of what IPVS holds. */
  status(health = false): CoordinatorStatus { return readStatus(this.reads, health); }
  alertSummary(): ReturnType<typeof alertSummary> { return alertSummary(this.status()); }
  /** The VIP decisions alone (cheap: no per-server status), for the fleet registration. */
  vipDecisions(): CoordinatorStatus['vips'] { this.out.flush(); return this.out.decisions(); }
  /** The API's keyed readings (issue 13). */
  summary(): Omit<CoordinatorStatus, 'pools'> { return readSummary(this.reads); }
  serviceNames(): string[] { return [...this.services.keys()]; }
  poolStatus(service: string): PoolStatus | null { return readPool(this.reads, service); }
  serverStatuses(service: string, hosts: Iterable<string>): PoolStatus | null { return readServers(this.reads, service, hosts); }
  monitors(service: string, host: string): MonitorStatus[] | null { return readMonitors(this.reads, service, host); }
  serverHosts(service: string): Map<string, string> | null { return readHosts(this.reads, service); }
  serverNames(service: string): string[] | null { return readNames(this.reads, service); }
  private get reads(): ReadState { return { services: this.services, out: this.out, alerts: this.alerts }; }

  /** Re-resolve every hostname: follow address changes, retry failures (PyBal never did). */
  async reresolve(): Promise<void> {
    const jobs: Promise<void>[] = [];
    for (const svc of this.services.values()) jobs.push(...reresolveService(this.hooks, svc, () => this.afterResolve(svc)));
    await Promise.all(jobs);
    this.resolver.retain((host) => [...this.services.values()].some((svc) => svc.pool.servers.has(host)));
    this.out.flush();
  }

  private removeService(name: string): void {
    const svc = this.services.get(name);
    if (!svc) return;
    this.holds.end(name);
    for (const s of svc.pool.servers.values()) this.d.health.stop(name, s.host);
    this.services.delete(name);
    this.out.removed(svc);
    this.d.log.info('service removed', { service: name });
  }

  private startHealth(svc: Service, s: ServerState): void {
    resetMonitors(svc, s);
    this.d.health.start({ service: svc.spec.name, host: s.host, ip: s.ip!, port: targetPort(svc.spec, s) });
  }

  /** Monitors start over (new address, port or monitor list); their counters carry over. */
  private restartHealth(svc: Service, s: ServerState, oldNames?: readonly string[]): void {
    this.d.health.stop(svc.spec.name, s.host);
    resetMonitors(svc, s, oldNames);
    this.d.health.start({ service: svc.spec.name, host: s.host, ip: s.ip!, port: targetPort(svc.spec, s) });
  }

  private async resolve(svc: Service, added: ServerState[]): Promise<void> {
    await resolveServers(this.hooks, svc, added);
    if (added.length > 0 && this.hooks.live(svc)) this.afterResolve(svc);
  }

  private afterResolve(svc: Service): void {
    if (this.hooks.live(svc)) this.note(svc, settle(svc.pool));
  }

  /**
   * Logs and counts what the depool rule did; the service is published within the tick. `host`: a
   * transition of that server: the API's marks name the servers whose state moved (it, and every
   * one the depool rule moved: each has an event) instead of the whole service (issue 13).
   */
  private note(svc: Service, events: PoolEvent[], host?: string): void {
    const name = svc.spec.name;
    if (host !== undefined) this.d.changed?.(name, host, true);
    for (const e of events) {
      if (e.kind === 'could-not-depool') svc.couldNotDepool++;
      const { level, msg } = describePoolEvent(e);
      this.d.log[level](msg, 'host' in e ? { service: name, server: e.host } : { service: name });
      if (host !== undefined && 'host' in e) this.d.changed?.(name, e.host, true);
    }
    this.out.touch(svc, false, host !== undefined);
  }
}
