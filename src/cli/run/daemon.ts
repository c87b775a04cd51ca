/**
 * `vipd run`: builds the real parts from the configuration and wires them one way — pool sources
 * and monitors → coordinator → IPVS reconciler and BGP speaker; the API reads their status.
 */
import type { ServiceConfig, VipdConfig } from '../../config/index.js';
import { Coordinator } from '../../coordinator/coordinator.js';
import type { Resolver } from '../../coordinator/types.js';
import { startApiServer, type ApiServer } from '../../api/server.js';
import type { StatusSource } from '../../api/types.js';
import { DEFAULT_PATH, DryRunDriver, IpvsAdoption, IpvsadmDriver, IpvsReconciler, type Ipvs } from '../../lvs/index.js';
import { commandRunner } from '../../process/command-runner.js';
import type { SpeakerControl } from '../../speaker/index.js';
import { bgpSpeaker } from './bgp-speaker.js';
import type { PoolSource } from '../../pools/types.js';
import type { Logger } from '../../log/logger.js';
import { secondsToMillis, type Clock } from '../../time/clock.js';
import { HealthAdapter } from './health-adapter.js';
import { IPVS_BATCH_SPACING_MS, IpvsAdapter } from './ipvs-adapter.js';
import { VipGuard } from './vip-guard.js';
import { gracefulShutdownMs, speakerConfig, staticRoutes } from './mapping.js';
import { serviceKey } from '../ipvs-mapping.js';
import { SpeakerAdapter } from './speaker-adapter.js';
import { systemResolver } from './resolver.js';
import { planReload, planSummary, type ReloadPlan } from './reload-plan.js';
import { applyPlan, prepareMonitors } from './apply-plan.js';
import { lockState, DEFAULT_STATE_DIR, type StateLock } from './state-lock.js';
import { ConfigError, configError, readConfig } from './errors.js';
import { apiHostnames, startOverrides, type OverrideControl } from './override-control.js';
import { RestartMarker, gracefulRestartOn, type StopKind } from './graceful-restart.js';
import { BfdWiring, stopBgp } from './bfd-wiring.js';
import { startPoolSource, stopPoolSource } from './pool-wiring.js';
import { withEvents } from './status-events.js';
import { siteReloadWarning, startSite, type Site } from './site-wiring.js';
import { ChangeTracker, changeMarks } from './api-keyed.js';
import { ApiAlerts } from './api-alerts.js';
import { daemonStatus } from './status-source.js';
import { startIpvsStats, type IpvsStats } from './ipvs-stats.js';

export { ConfigError, readConfig };

/** Where vipd finds ipvsadm and ip: its own PATH (the unit's), else the usual system directories. */
const searchPath = (): string => process.env.PATH || DEFAULT_PATH;

export interface DaemonOptions {
  configPath: string;
  dryRun: boolean;
  clock: Clock;
  log: Logger;
  poolSource: (svc: ServiceConfig, log: Logger) => PoolSource;
  resolver?: Resolver;
  /** Replaces the IPVS driver (tests); default ipvsadm, or dry-run with `dryRun`. */
  ipvs?: (owned: ServiceConfig[]) => Ipvs;
  /** Re-resolution period; default 60 s. */
  resolveIntervalMs?: number;
  /** `vipd run --allow-empty`: run, and reload to, a config without services. */
  allowEmpty?: boolean;
  /**
   * Where the lock that makes this vipd the one owning IPVS lives (default /var/lib/vipd); taken
   * before IPVS is read or written. Not taken with a dry run or an injected driver (tests).
   */
  stateDir?: string;
}

export class Daemon {
  config!: VipdConfig;
  speaker: SpeakerControl | null = null;
  /** The coordinator's way to the speaker, plus the routes announced whatever the health. */
  speakerAdapter: SpeakerAdapter | null = null;
  readonly bfd: BfdWiring | null;
  api: ApiServer | null = null;
  readonly health: HealthAdapter;
  /** The API's delta marks (api-keyed.ts). */
  readonly changes = new ChangeTracker();
  readonly coordinator: Coordinator;
  readonly ipvs: IpvsAdapter;
  readonly reconciler: IpvsReconciler;
  readonly driver: Ipvs;
  /** Reads the kernel's table at start, retrying until it can; nothing is applied before. */
  readonly adoption: IpvsAdoption;
  /** Withholds VIPs this host would drop (real IPVS driver with BGP; logs only in dry run). */
  readonly vipGuard: VipGuard | null;
  readonly pools = new Map<string, PoolSource>();
  readonly startedAt: number;
  /** For vipd_config_reload_timestamp_seconds: the last load that applied (start included) and the last rejected reload. */
  readonly reloads: { okAt: number | null; errorAt: number | null } = { okAt: null, errorAt: null };
  private stopping: Promise<void> | null = null;
  private apiAlerts: ApiAlerts | null = null;
  private lock: StateLock | null = null;
  overrides: OverrideControl | null = null;
  site: Site | null = null; // issue 17 §2: overrides in etcd, registration
  readonly restart: RestartMarker; // RFC 4724 across processes: graceful-restart.ts
  stats: IpvsStats | null = null; // issue 16: ipvs-stats.ts

  private constructor(readonly opts: DaemonOptions, config: VipdConfig) {
    const { clock, log } = opts;
    this.config = config;
    this.startedAt = clock.wallNow();
    this.reloads.okAt = this.startedAt;
    this.driver = opts.ipvs ? opts.ipvs(config.services) : opts.dryRun
      ? new DryRunDriver({ owned: config.services.map(serviceKey), logger: log.child({ component: 'ipvs' }) })
      : new IpvsadmDriver({
        runner: commandRunner, owned: config.services.map(serviceKey), logger: log.child({ component: 'ipvs' }), path: searchPath(),
      });
    this.reconciler = new IpvsReconciler({
      ipvs: this.driver, clock, logger: log.child({ component: 'ipvs' }),
      intervalMs: secondsToMillis(config.global.ipvsReconcileInterval),
    });
    this.ipvs = new IpvsAdapter(this.reconciler, (error) => {
      if (error) this.coordinator.raiseAlert('ipvs', 'critical', `IPVS not updated: ${error}`);
      else this.coordinator.clearAlert('ipvs');
      this.vipGuard?.check();
    }, { clock, ms: IPVS_BATCH_SPACING_MS });
    this.adoption = new IpvsAdoption({
      ipvs: this.driver, clock, logger: log.child({ component: 'ipvs' }),
      onFailure: (error) => this.coordinator.raiseAlert('ipvs', 'critical', `IPVS table unreadable: ${error}; nothing applied`),
      onAdopted: (table) => {
        this.coordinator.clearAlert('ipvs');
        this.ipvs.adopt(table);
        this.reconciler.start();
        this.vipGuard?.check();
      },
    });
    this.vipGuard = config.global.bgp && !opts.ipvs ? new VipGuard({
      clock, log: log.child({ component: 'vip-guard' }), runner: commandRunner, path: searchPath(),
      mode: opts.dryRun ? 'log' : 'enforce', bind: config.global.bindVips, known: () => this.driver.known(),
      withhold: (reasons) => this.coordinator.withholdVips(reasons),
      raise: (source, message) => this.coordinator.raiseAlert(source, 'critical', message),
      clear: (source) => this.coordinator.clearAlert(source),
    }) : null;
    this.health = new HealthAdapter(clock, log,
      (svc, host, monitor, res) => this.coordinator.monitorResult(svc, host, monitor, res),
      (svc, host, monitor, r) => this.coordinator.countResult(svc, host, monitor, r.up, r.reason),
      (source, msg) => { if (msg) this.coordinator.raiseAlert(source, 'critical', msg); else this.coordinator.clearAlert(source); });
    this.restart = new RestartMarker(opts.stateDir ?? (opts.dryRun || opts.ipvs ? null : DEFAULT_STATE_DIR), log, gracefulRestartOn(config.global));
    if (config.global.bgp) {
      const sc = speakerConfig(config);
      if ('errors' in sc) throw new ConfigError(sc.errors.join('\n'));
      try {
        // Peers come with the start plan (applyPlan), as they do with a reload.
        this.speaker = bgpSpeaker({ ...sc.config, peers: [], restarting: this.restart.restarting, awaitRoutes: true }, clock, log.child({ component: 'bgp' }));
      } catch (e) { throw configError(e); }
    }
    this.bfd = BfdWiring.for(this.speaker, clock, log);
    this.speakerAdapter = this.speaker ? new SpeakerAdapter(this.speaker, log.child({ component: 'bgp' }), staticRoutes(config.global)) : null;
    this.coordinator = new Coordinator({
      clock, log: log.child({ component: 'coordinator' }), health: this.health, ipvs: this.ipvs,
      ...(this.speakerAdapter ? { speaker: this.speakerAdapter } : {}),
      resolver: opts.resolver ?? systemResolver(),
      ...(opts.resolveIntervalMs !== undefined ? { resolveIntervalMs: opts.resolveIntervalMs } : {}), changed: changeMarks(this.changes),
    });
  }

  /**
   * Loads the config and starts everything: the plan from nothing, applied as a reload is. The
   * state lock and every instrumentation address are taken before IPVS is touched, so a second
   * vipd started by mistake stops before it reads or writes the table. Throws ConfigError with
   * every problem listed.
   */
  static async start(opts: DaemonOptions): Promise<Daemon> {
    const { config, warnings } = await readConfig(opts.configPath);
    for (const w of warnings) opts.log.warn(w);
    const r = planReload(null, config, { allowEmpty: opts.allowEmpty ?? false });
    if (!r.ok) throw new ConfigError(r.errors.join('\n'));
    const monitors = prepareMonitors(r.plan, opts);
    // [global] dry-run = yes is PyBal's `-n` (read at start; a reload does not switch it)
    const d = new Daemon(config.global.dryRun ? { ...opts, dryRun: true } : opts, config);
    try {
      d.overrides = startOverrides(d); // issue 15: the state file's overrides hold before the first IPVS batch
      d.site = startSite({ ...opts, global: config.global, overrides: d.overrides, coordinator: d.coordinator, bgp: () => d.statusSource().bgp() });
      await d.claim(r.plan);
      d.restart.started();
      // Adopt what the kernel holds, or apply nothing at all until a read succeeds (retried by backoff).
      await d.adoption.start();
      await applyPlan(d.target(), r.plan, monitors);
      d.coordinator.start();
      d.stats = startIpvsStats(d);
      if (d.vipGuard) { await d.vipGuard.configure(config.services); d.vipGuard.start(); }
      if (d.speaker) await d.speaker.start();
    } catch (e) {
      await d.stop('vipd start failed');
      throw e;
    }
    opts.log.info('vipd running', { config: opts.configPath, services: config.services.length, dryrun: d.opts.dryRun });
    return d;
  }

  /** The state lock (real IPVS driver only), then the instrumentation server on every address. */
  private async claim(plan: ReloadPlan): Promise<void> {
    try {
      if (!this.opts.dryRun && !this.opts.ipvs) this.lock = lockState(this.opts.stateDir ?? DEFAULT_STATE_DIR);
    } catch (e) { throw configError(e); }
    if (plan.instrumentation !== 'start') return;
    const g = plan.next.global;
    const alerts = this.apiAlerts = new ApiAlerts(this.opts.clock, this.coordinator);
    try {
      this.api = await startApiServer({
        source: withEvents(this.statusSource(), this.opts.log), hosts: g.instrumentationIps, port: g.instrumentationPort,
        log: this.opts.log.child({ component: 'api' }), hostnames: apiHostnames(g), onLimitHit: (m) => alerts.limitHit(m),
        onWorkerDown: (why) => alerts.workerDown(why), onWorkerUp: (ms, why) => alerts.workerUp(ms, why),
      });
    } catch (e) { throw configError(e, ' (is another vipd running?)'); }
    this.opts.log.info(`instrumentation on ${this.api.addresses.map((a) => `http://${a}/`).join(' ')}`);
  }

  private target(): Parameters<typeof applyPlan>[0] {
    return {
      clock: this.opts.clock, log: this.opts.log, health: this.health, coordinator: this.coordinator, ipvs: this.ipvs,
      driver: this.driver, speaker: this.speaker, speakerAdapter: this.speakerAdapter, bfd: this.bfd, startPool: (s) => this.startPool(s), stopPool: (n) => this.stopPool(n),
    };
  }

  startPool(s: ServiceConfig): void {
    const log = this.opts.log.child({ service: s.name });
    const src = this.opts.poolSource(s, log);
    this.pools.set(s.name, src);
    startPoolSource(s, src, this.coordinator, log);
  }

  async stopPool(name: string): Promise<void> {
    const src = this.pools.get(name);
    this.pools.delete(name);
    await stopPoolSource(name, src, this.coordinator, this.opts.log);
  }

  /** What the API reads (status-source.ts). */
  statusSource(): StatusSource { return daemonStatus(this); }

  /** The operator lets a held pool update (pool-max-removal) of `service` apply now. */
  confirmPoolRemoval(service: string): { ok: boolean; message: string } {
    const r = this.coordinator.confirmPoolRemoval(service);
    this.opts.log[r.ok ? 'warn' : 'info'](`pool removal confirmation: ${r.message}`, { service });
    return r;
  }

  /** SIGHUP: a valid config is applied as a plan; an invalid one changes nothing and raises an alert. */
  async reload(): Promise<boolean> {
    const log = this.opts.log;
    let plan: ReloadPlan;
    try {
      const r = await readConfig(this.opts.configPath);
      for (const w of r.warnings) log.warn(w);
      const p = planReload(this.config, r.config, { allowEmpty: this.opts.allowEmpty ?? false });
      if (!p.ok) throw new ConfigError(p.errors.join('\n'));
      plan = p.plan;
      const monitors = prepareMonitors(plan, this.opts);
      await applyPlan(this.target(), plan, monitors);
      const site = siteReloadWarning(this.config.global, plan.next.global); if (site) log.warn(site);
      this.config = plan.next;
      await this.vipGuard?.configure(plan.next.services);
    } catch (e) {
      const msg = e instanceof Error ? e.message : String(e);
      log.error(`config reload rejected, the previous configuration keeps running: ${msg}`);
      this.coordinator.raiseAlert('config', 'critical', `reload of ${this.opts.configPath} rejected: ${msg.split('\n').join('; ')}`);
      this.reloads.errorAt = this.opts.clock.wallNow();
      return false;
    }
    this.reloads.okAt = this.opts.clock.wallNow();
    this.coordinator.clearAlert('config');
    log.info('config reloaded', { config: this.opts.configPath, services: plan.next.services.length, ...planSummary(plan) });
    return true;
  }

  /** Full: withdraw and Cease 6/2 on every session (awaited on the wire); planned with graceful restart: close only. IPVS is left as is. */
  stop(message = 'vipd shutting down', kind: StopKind = 'full'): Promise<void> {
    this.stopping ??= (async () => {
      this.opts.log.info('shutting down', { reason: message });
      await Promise.all([...this.pools.keys()].map((n) => this.stopPool(n)));
      await this.site?.stop();
      this.coordinator.stop();
      this.overrides?.stop();
      this.health.stopAll();
      this.adoption.stop();
      this.ipvs.stop();
      this.reconciler.stop();
      this.stats?.stop();
      const keep = this.restart.stopping(kind, gracefulRestartOn(this.config.global));
      const wait = keep ? 0 : gracefulShutdownMs(this.config.global);
      await stopBgp(this.speaker, this.bfd, { message, gracefulRestart: keep, ...(wait ? { gracefulShutdownMs: wait } : {}) });
      await this.vipGuard?.stop(!keep); // after the withdrawal: bind-vips addresses leave lo once no peer routes to them
      this.apiAlerts?.stop();
      await this.api?.close();
      this.lock?.release();
      this.opts.log.info('exiting');
    })();
    return this.stopping;
  }
}
