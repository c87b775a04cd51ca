/**
 * The coordinator: pool lists and monitor results in; the desired IPVS table and the advertised
 * VIPs out. Decisions flow one way; ports are declarative (apply the whole table, set all routes).
 */
import type { Cancel, Clock } from '../time/clock.js';
import type { Logger } from '../log/logger.js';
import {
  describePoolEvent, markReady, markUnresolved, mergePool, serverDown, serverUp, settle, type Pool, type PoolEvent,
} from './depool-policy.js';
import { decideVips, type VipDecision } from './vip-policy.js';
import { buildVipInputs } from './vip-inputs.js';
import { RemovalHolds } from './removal-holds.js';
import { FirstRoundWait } from './first-round-wait.js';
import { ResolveLimiter, addressOf, familyOf as family, isLiteral as literal, logFailures, type LimiterOptions } from './resolve-limiter.js';
import { NO_OVERRIDES, type OverrideSet } from './overrides.js';
import { applyInstance, effectiveServers, overlayPools, poolForVips, type InstanceRouting } from './overrides-apply.js';
import { alertSummary, poolStatus, type Alert, type CoordinatorStatus } from './status.js';
import type {
  DesiredService, HealthPort, IpvsPort, PoolServer, Resolver, RouteSpec, ServerState, ServiceSpec, SpeakerPort,
} from './types.js';

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
}

export interface MonitorResult { up: boolean; reason: string; durationMs?: number }

export interface Service {
  spec: ServiceSpec;
  pool: Pool;
  delivered: boolean;
  /** The first list's resolutions are done (PyBal waits for them before assigning servers). */
  initialized: boolean;
  firstRoundDone: boolean;
  couldNotDepool: number;
  /** clock.now() when the service was added: its bgp-first-round-wait runs from here. */
  addedAt: number;
}


export class Coordinator {
  private services = new Map<string, Service>();
  private route: RouteSpec = { med: 0, withdrawPolicy: 'all-down', communities: [], largeCommunities: [], asPathPrepend: 0 };
  private settledVips = new Set<string>();
  private alerts = new Map<string, Alert>();
  private lastTable = '';
  private lastRoutes = '[]';
  private decisions: VipDecision[] = [];
  /** Canonical VIP address → why this host must not announce it (set by the VIP guard). */
  private withheld = new Map<string, string>();
  /** Operator overrides (issue 15), applied where IPVS servers and routes are derived. */
  private overrides: OverrideSet = NO_OVERRIDES;
  private instance: InstanceRouting = null;
  private timer: Cancel | null = null;
  private readonly wait: FirstRoundWait;
  private stopped = false;
  private readonly resolver: ResolveLimiter;
  private readonly holds: RemovalHolds;

  constructor(private readonly d: CoordinatorDeps) {
    this.resolver = new ResolveLimiter(d.resolver, d.clock, d.resolveLimits);
    this.wait = new FirstRoundWait(d.clock, () => this.publish());
    this.holds = new RemovalHolds({
      clock: d.clock, log: d.log,
      alert: (source, msg) => { if (msg === null) this.clearAlert(source); else this.raiseAlert(source, 'warning', msg); },
      apply: (service, list) => { const svc = this.services.get(service); if (svc) void this.applyList(svc, list); },
    });
  }

  /** Apply a (new) configuration as a difference: untouched services keep their state. */
  configure(specs: ServiceSpec[], route: RouteSpec): void {
    this.route = route;
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
        this.services.set(spec.name, {
          spec, pool: { threshold: spec.depoolThreshold, servers: new Map(), pooledDown: new Set() },
          delivered: false, initialized: false, firstRoundDone: false, couldNotDepool: 0, addedAt: this.d.clock.now(),
        });
        this.d.log.info('service added', { service: spec.name, vip: spec.ip, port: spec.port });
        continue;
      }
      const monitorsChanged = spec.monitors.join() !== svc.spec.monitors.join();
      svc.spec = spec;
      svc.pool.threshold = spec.depoolThreshold;
      if (monitorsChanged) for (const s of svc.pool.servers.values()) if (s.ready) this.restartHealth(svc, s);
      this.note(svc, settle(svc.pool));
    }
    this.publish();
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
    this.wait.stop();
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
    const log = this.d.log.child({ service });
    for (const s of r.removed) { this.d.health.stop(service, s.host); log.info('server removed (no longer in the pool list)', { server: s.host }); }
    for (const s of r.changed) {
      log.info(`merged ${s.enabled ? 'enabled' : 'disabled'} server, weight ${s.weight}`, { server: s.host });
      if (s.ready) this.restartHealth(svc, s);
    }
    for (const s of r.added) log.info(`new ${s.enabled ? 'enabled' : 'disabled'} server, weight ${s.weight}`, { server: s.host });
    this.note(svc, r.events);
    const done = this.resolveNew(svc, r.added).then(() => {
      if (firstList) svc.initialized = true;
      this.publish();
    });
    this.publish();
    return done;
  }

  /** A monitor's result for one server (the first result and every transition). */
  monitorResult(service: string, host: string, monitor: string, res: MonitorResult): void {
    const svc = this.services.get(service);
    const s = svc?.pool.servers.get(host);
    if (!svc || !s || !s.ready) return;
    const m = s.monitors.get(monitor);
    if (!m) return;
    if (m.up !== res.up) {
      if (res.up) m.upTransitions++; else m.downTransitions++;
      m.since = this.d.clock.wallNow();
      m.durationMs = res.durationMs ?? null;
    }
    m.up = res.up;
    m.reason = res.reason;
    const log = this.d.log.child({ service, server: host, monitor });
    if (!res.up) {
      log.warn(`server down: ${res.reason || '(reason unknown)'}`);
      this.note(svc, serverDown(svc.pool, host));
    } else if ([...s.monitors.values()].every((x) => x.up === true)) {
      if (!s.up) log.info('server up');
      this.note(svc, serverUp(svc.pool, host));
    }
    this.publish();
  }

  /** Counts one check result (every result; transitions come through monitorResult); a down monitor keeps its last failing reason. */
  countResult(service: string, host: string, monitor: string, up: boolean, reason?: string): void {
    const m = this.services.get(service)?.pool.servers.get(host)?.monitors.get(monitor);
    if (!m) return;
    if (up) m.upResults++; else m.downResults++;
    if (!up && m.up === false && reason !== undefined) m.reason = reason;
  }

  raiseAlert(source: string, level: Alert['level'], message: string): void {
    this.alerts.set(source, { source, level, message });
  }

  clearAlert(source: string): void { this.alerts.delete(source); }

  /** VIPs this host would drop (canonical address → reason): withheld from BGP until cleared. */
  withholdVips(reasons: ReadonlyMap<string, string>): void {
    const same = reasons.size === this.withheld.size && [...reasons].every(([k, v]) => this.withheld.get(k) === v);
    if (same) return;
    this.withheld = new Map(reasons);
    this.publish();
  }

  /** The operator's overrides and the instance's routing (override-control.ts). */
  setOverrides(set: OverrideSet, instance: InstanceRouting): void {
    this.overrides = set;
    this.instance = instance;
    if (this.services.size) this.publish();
  }

  status(): CoordinatorStatus {
    return {
      pools: overlayPools([...this.services.values()].map((svc) => poolStatus(svc.spec, svc.pool, {
        delivered: svc.delivered, firstRoundDone: svc.firstRoundDone, couldNotDepoolTotal: svc.couldNotDepool,
      })), this.overrides),
      vips: this.decisions,
      alerts: [...this.alerts.values()],
      overrides: this.overrides,
    };
  }

  alertSummary(): ReturnType<typeof alertSummary> { return alertSummary(this.status()); }

  private removeService(name: string): void {
    const svc = this.services.get(name);
    if (!svc) return;
    this.holds.end(name);
    for (const s of svc.pool.servers.values()) this.d.health.stop(name, s.host);
    this.services.delete(name);
    this.d.log.info('service removed', { service: name });
  }

  private targetPort(svc: Service, s: ServerState): number { return s.port ?? svc.spec.port; }

  private startHealth(svc: Service, s: ServerState): void {
    s.monitors = new Map(svc.spec.monitors.map((m) => [m, {
      up: null, reason: '', since: null, durationMs: null, upTransitions: 0, downTransitions: 0, upResults: 0, downResults: 0,
    }]));
    this.d.health.start({ service: svc.spec.name, host: s.host, ip: s.ip!, port: this.targetPort(svc, s) });
  }

  private restartHealth(svc: Service, s: ServerState): void {
    this.d.health.stop(svc.spec.name, s.host);
    const keep = s.monitors;
    this.startHealth(svc, s);
    for (const [name, m] of keep) {
      const fresh = s.monitors.get(name);
      if (fresh) {
        Object.assign(fresh, { upTransitions: m.upTransitions, downTransitions: m.downTransitions, upResults: m.upResults, downResults: m.downResults });
      }
    }
  }

  private lookup(svc: Service, host: string): ReturnType<typeof addressOf> { return addressOf(this.resolver, host, family(svc.spec.ip)); }

  private async resolveNew(svc: Service, added: ServerState[]): Promise<void> {
    if (added.length === 0) return;
    for (const s of added) s.resolving = true;
    const results = await Promise.all(added.map(async (s) => [s, await this.lookup(svc, s.host)] as const));
    if (this.services.get(svc.spec.name) !== svc) return;
    const failed: { host: string; error: string }[] = [];
    for (const [s, r] of results) {
      if (svc.pool.servers.get(s.host) !== s) continue;
      if (r.ip) {
        markReady(svc.pool, s.host, r.ip);
        this.startHealth(svc, s);
        this.d.log.debug('resolved', { service: svc.spec.name, server: s.host, ip: r.ip });
        continue;
      }
      markUnresolved(svc.pool, s.host);
      if (r.report) failed.push({ host: s.host, error: r.error });
    }
    logFailures(this.d.log, svc.spec.name, family(svc.spec.ip), failed);
    this.note(svc, settle(svc.pool));
  }

  /** Re-resolve every hostname: follow address changes, retry failures (PyBal never did). */
  async reresolve(): Promise<void> {
    const jobs: Promise<void>[] = [];
    for (const svc of this.services.values()) {
      const retry: ServerState[] = [];
      for (const s of svc.pool.servers.values()) {
        if (literal(s.host) || s.resolving) continue;
        if (!s.ready) { retry.push(s); continue; }
        jobs.push(this.lookup(svc, s.host).then(({ ip }) => {
          if (!ip || ip === s.ip || svc.pool.servers.get(s.host) !== s) return;
          this.d.log.info(`address changed from ${s.ip} to ${ip}`, { service: svc.spec.name, server: s.host });
          s.ip = ip;
          this.restartHealth(svc, s);
        }));
      }
      jobs.push(this.resolveNew(svc, retry));
    }
    await Promise.all(jobs);
    this.resolver.retain((host) => [...this.services.values()].some((svc) => svc.pool.servers.has(host)));
    this.publish();
  }

  private note(svc: Service, events: PoolEvent[]): void {
    const log = this.d.log.child({ service: svc.spec.name });
    for (const e of events) {
      if (e.kind === 'could-not-depool') svc.couldNotDepool++;
      const { level, msg } = describePoolEvent(e);
      log[level](msg, 'host' in e ? { server: e.host } : {});
    }
    this.updateFirstRound(svc);
  }

  private updateFirstRound(svc: Service): void {
    if (svc.firstRoundDone || !svc.delivered || !svc.initialized) return;
    for (const s of svc.pool.servers.values()) {
      if (s.resolving) return;
      if (s.ready) for (const m of s.monitors.values()) if (m.up === null) return;
    }
    svc.firstRoundDone = true;
    this.d.log.info('first health round complete', { service: svc.spec.name });
  }

  private publish(): void {
    if (this.stopped) return;
    const table: DesiredService[] = [...this.services.values()]
      .filter((svc) => svc.delivered && svc.initialized)
      .map((svc) => ({
        service: svc.spec.name,
        realServers: effectiveServers(svc.spec.name, svc.pool.threshold, svc.pool.servers.values(), this.overrides).map(({ s, weight }) => ({
          host: s.host, ip: s.ip!, port: this.targetPort(svc, s), weight,
        })),
      }));
    const t = JSON.stringify(table);
    if (t !== this.lastTable) { this.lastTable = t; this.d.ipvs.apply(table); }
    for (const svc of this.services.values()) this.updateFirstRound(svc);
    const views = [...this.services.values()]
      .map((svc) => ({ ...svc, pool: poolForVips(svc.spec.name, svc.pool, this.overrides), waitOver: this.wait.over(svc.addedAt, this.route.firstRoundWaitMs, svc.firstRoundDone) }));
    const inputs = buildVipInputs(views, this.route, this.settledVips, this.withheld);
    const { routes, decisions } = applyInstance(decideVips(inputs, this.route), this.instance);
    const before = new Map(this.decisions.map((x) => [x.prefix, x]));
    this.decisions = decisions;
    for (const x of decisions) {
      const b = before.get(x.prefix);
      if (b && b.announced === x.announced && b.med === x.med) continue;
      if (!b && !x.announced) continue;
      const what = x.announced ? `VIP announced with MED ${x.med}` : 'VIP withdrawn';
      this.d.log.info(`${what}: ${x.reason}`, { vip: x.prefix });
    }
    const r = JSON.stringify(routes);
    if (r !== this.lastRoutes && this.d.speaker) {
      this.lastRoutes = r;
      this.d.speaker.setAdvertised(routes);
    }
  }
}
