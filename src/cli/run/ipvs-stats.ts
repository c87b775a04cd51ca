/**
 * Issue 16 §1–§2: every ipvs-stats-interval, one read of the kernel's per-realserver counters
 * through the reconciler's queue (never during a batch); the view /metrics, /pools and the page
 * show; the black-hole rule per service, raised as a warning, and with blackhole-action = depool
 * handed to the coordinator as a depool reason (the depool threshold applies).
 */
import type { CountersStatus, RealServerCountersView } from '../../api/types.js';
import type { Coordinator } from '../../coordinator/coordinator.js';
import { blackholed, describeBlackhole, sampleOf, type BlackholeVerdict, type ServiceSample } from '../../coordinator/blackhole.js';
import type { ServiceConfig } from '../../config/index.js';
import type { Logger } from '../../log/logger.js';
import { serviceId, type Ipvs, type IpvsReconciler, type ServiceCounters } from '../../lvs/index.js';
import type { Cancel, Clock } from '../../time/clock.js';
import { Slicer } from '../../time/slices.js';
import { serviceKey } from '../ipvs-mapping.js';
import { BlackholeHolds } from '../../coordinator/blackhole-holds.js';

export interface IpvsStatsDeps {
  clock: Clock;
  log: Logger;
  reconciler: IpvsReconciler;
  driver: Ipvs;
  intervalSeconds: number;
  /** The configured services now (a reload changes them). */
  services(): readonly ServiceConfig[];
  /** One service's address|port → pool host (the coordinator's), null when it has no such service. */
  hostsOf(service: string): ReadonlyMap<string, string> | null;
  /** coordinator.blackhole. */
  depool(service: string, host: string, evidence: string | null): void;
  raise(message: string | null): void;
}

export class IpvsStats {
  private timer: Cancel | null = null;
  private stopped = false;
  private view: CountersStatus;
  private readonly history = new Map<string, ServiceSample[]>();
  private readonly holds: BlackholeHolds;
  private flagged = new Set<string>();
  /** The last read: how long it waited behind IPVS batches (reconciler.exclusive) and how long it ran, ms; reads so far. */
  lastRead = { waitedMs: 0, ranMs: 0, reads: 0 };

  constructor(private readonly d: IpvsStatsDeps) {
    this.view = { intervalSeconds: d.intervalSeconds, readAt: null, lastError: null, servers: [] };
    this.holds = new BlackholeHolds(d.clock);
  }

  start(): void {
    if (this.d.intervalSeconds <= 0 || this.timer || this.stopped) return;
    const every = this.d.intervalSeconds * 1000;
    const tick = (): void => {
      this.timer = null;
      void this.readOnce().finally(() => { if (!this.stopped) this.timer = this.d.clock.setTimer(every, tick); });
    };
    this.timer = this.d.clock.setTimer(every, tick);
  }

  stop(): void {
    this.stopped = true;
    this.timer?.();
    this.timer = null;
  }

  /** Keeps the service's readings (two windows and one reading more) and applies the rule. */
  private judge(svc: ServiceConfig, row: ServiceCounters, now: number): BlackholeVerdict[] {
    const windowMs = svc.blackholeWindow * 1000;
    const keep = now - 2 * windowMs - this.d.intervalSeconds * 1000;
    const kept = (this.history.get(svc.name) ?? []).filter((x) => x.at >= keep);
    const hist = [...kept, sampleOf(now, row.servers, kept.at(-1))];
    this.history.set(svc.name, hist);
    return blackholed(hist, { windowMs });
  }

  status(): CountersStatus | null { return this.d.intervalSeconds > 0 ? this.view : null; }

  /** One read, the view rebuilt and the rule applied; a failed read keeps the last view and says why. */
  async readOnce(): Promise<void> {
    let rows: readonly ServiceCounters[];
    const asked = this.d.clock.now();
    let began = asked;
    try {
      rows = await this.d.reconciler.exclusive(() => { began = this.d.clock.now(); return this.d.driver.counters(); });
      this.lastRead = { waitedMs: began - asked, ranMs: this.d.clock.now() - began, reads: this.lastRead.reads + 1 };
    } catch (e) {
      const error = e instanceof Error ? e.message : String(e);
      if (this.view.lastError !== error) this.d.log.warn('IPVS counters not read', { error });
      this.view = { ...this.view, lastError: error };
      return;
    }
    if (this.stopped) return;
    const now = this.d.clock.now();
    const byId = new Map(this.d.services().map((s) => [serviceId(serviceKey(s)), s]));
    const servers: RealServerCountersView[] = [];
    const flagged = new Set<string>();
    const messages: string[] = [];
    const seen = new Set<string>();
    // every loop gives the event loop back when its slice is used (issue 13 §5: a 10,000-server
    // service is read every ipvs-stats-interval; read in one go it held the loop for 86-221 ms)
    const slicer = new Slicer();
    for (const row of rows) {
      if (slicer.dueNow()) await slicer.pause();
      const svc = byId.get(serviceId(row.key));
      if (!svc) continue; // not ours
      seen.add(svc.name);
      const names = this.d.hostsOf(svc.name);
      // vipd puts one realserver per address in a service (ipvs-adapter.ts): the address names it
      const hostOf = new Map<string, string | null>();
      const inKernel = new Set<string>();
      for (const s of row.servers) {
        const name = names?.get(`${s.address}|${s.port}`) ?? null;
        hostOf.set(s.address, name);
        if (s.weight > 0) inKernel.add(name ?? s.address);
        if (slicer.due()) await slicer.pause();
      }
      const host = (address: string): string => hostOf.get(address) ?? address;
      const verdicts = this.judge(svc, row, now);
      const named = new Set<string>();
      for (const v of verdicts) {
        const text = describeBlackhole(svc.name, v);
        flagged.add(`${svc.name}|${v.server}`);
        named.add(host(v.server));
        messages.push(text);
        if (!this.flagged.has(`${svc.name}|${v.server}`)) this.d.log.warn(text, { service: svc.name, server: host(v.server), action: svc.blackholeAction });
        if (svc.blackholeAction === 'depool' && this.holds.flag(svc.name, host(v.server), svc.blackholeWindow * 1000)) this.d.depool(svc.name, host(v.server), text);
      }
      for (const back of this.holds.settle(svc.name, inKernel, named)) this.d.depool(svc.name, back, null);
      for (const s of row.servers) {
        servers.push({
          service: svc.name, server: s.address, port: s.port, host: hostOf.get(s.address) ?? null,
          weight: s.weight, active: s.active, inactive: s.inactive, connectionsPerSecond: s.cps,
          inBytesPerSecond: s.inBps, outBytesPerSecond: s.outBps, blackholed: verdicts.length > 0 && flagged.has(`${svc.name}|${s.address}`),
        });
        if (slicer.due()) await slicer.pause();
      }
    }
    if (this.stopped) return;
    for (const name of [...this.history.keys()]) if (!seen.has(name)) this.history.delete(name);
    this.holds.retain(seen);
    for (const key of this.flagged) {
      const [service, server] = key.split('|');
      if (!flagged.has(key)) this.d.log.info('black-hole pattern cleared', { service, server });
    }
    this.flagged = flagged;
    this.d.raise(messages.length ? messages.join('; ') : null);
    this.view = { intervalSeconds: this.d.intervalSeconds, readAt: this.d.clock.wallNow(), lastError: null, servers };
  }
}


/** What the daemon gives the counters reader (daemon.ts stays small). */
export interface StatsHost {
  readonly opts: { clock: Clock; log: Logger };
  readonly config: { global: { ipvsStatsInterval: number }; services: ServiceConfig[] };
  readonly reconciler: IpvsReconciler;
  readonly driver: Ipvs;
  readonly coordinator: Coordinator;
}

/** Built and started once IPVS is adopted; the alert source is `blackhole`. */
export function startIpvsStats(d: StatsHost): IpvsStats {
  const c = d.coordinator;
  const stats = new IpvsStats({
    clock: d.opts.clock, log: d.opts.log.child({ component: 'ipvs-stats' }), reconciler: d.reconciler, driver: d.driver,
    intervalSeconds: d.config.global.ipvsStatsInterval, services: () => d.config.services,
    hostsOf: (service) => c.serverHosts(service),
    depool: (service, host, evidence) => c.blackhole(service, host, evidence),
    raise: (message) => { if (message) c.raiseAlert('blackhole', 'warning', message); else c.clearAlert('blackhole'); },
  });
  stats.start();
  return stats;
}
