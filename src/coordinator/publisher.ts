/**
 * From the coordinator's state to the ports, incrementally (issue 13 §1): a change marks its
 * service dirty; a flush hands IPVS the desired realservers of the dirty services only, and
 * decides again only the VIPs those services feed. Changes in one tick are coalesced into one
 * flush (a 0 ms timer on the injected clock), so a withdrawal waits at most that tick.
 * Operator overrides (issue 15) are few: a service with one is rebuilt from its whole pool at each
 * flush; the others keep the O(changed) patch. The instance routing is applied on the way out.
 */
import type { Cancel, Clock } from '../time/clock.js';
import type { Logger } from '../log/logger.js';
import { ipvsEntry, weightedEntry } from './effective.js';
import { FirstRoundWait } from './first-round-wait.js';
import { NO_OVERRIDES, type OverrideSet } from './overrides.js';
import { applyInstance, effectiveServers, instanceDecision, poolForVips, type InstanceRouting } from './overrides-apply.js';
import { patchList } from './published-list.js';
import { firstRoundComplete, type Service } from './service-state.js';
import type { DesiredRealServer, DesiredService, IpvsPort, ServerState, RouteSpec, SpeakerPort } from './types.js';
import { logDecision, VipBoard } from './vip-board.js';
import type { ServiceView } from './vip-inputs.js';
import type { VipDecision } from './vip-policy.js';

export interface PublisherDeps {
  clock: Clock;
  log: Logger;
  ipvs: IpvsPort;
  speaker?: SpeakerPort;
  /** The service is still configured (a late event may name one a reload removed). */
  live(svc: Service): boolean;
  /** A service's state changed (null: every service's): the API's delta marks (issue 13). */
  changed?(service: string | null): void;
}

/** The same realserver (host, address, port, weight). */
function sameEntry(a: DesiredRealServer, b: DesiredRealServer | undefined): boolean {
  return b !== undefined && a.host === b.host && a.ip === b.ip && a.port === b.port && a.weight === b.weight;
}

function same(a: readonly DesiredRealServer[], b: readonly DesiredRealServer[] | null): boolean {
  if (b === null || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export class Publisher {
  private dirty = new Set<Service>();
  private removedNames: string[] = [];
  private vipsDirty = false;
  private timer: Cancel | null = null;
  private stopped = false;
  /** The speaker was told every VIP is decided (End-of-RIB may go: RFC 4724 §4.1). */
  private routesComplete = false;
  private readonly board: VipBoard<Service>;
  private readonly wait: FirstRoundWait;
  route: RouteSpec = { med: 0, withdrawPolicy: 'all-down', communities: [], largeCommunities: [], asPathPrepend: 0 };
  withheld: ReadonlyMap<string, string> = new Map();
  /** The operator's overrides and the instance's routing (override-control.ts). */
  overrides: OverrideSet = NO_OVERRIDES;
  private instance: InstanceRouting = null;
  /** The instance routing last handed out, while a change waits for the flush. */
  private instanceWas: InstanceRouting | undefined = undefined;
  /** Pool (service) name → its overrides as text, for the services that have any. */
  private overridden = new Map<string, string>();

  constructor(private readonly d: PublisherDeps) {
    this.board = new VipBoard(d.log);
    this.wait = new FirstRoundWait(d.clock, () => { this.touchVips(); this.flush(); });
  }

  /**
   * `svc` changed: it is published by the end of this tick. `rebuild`: its IPVS list is rebuilt from
   * the whole pool (a pool edit, an address change). `marked`: the caller marked the servers that
   * changed for the API, so the service is not marked whole.
   */
  touch(svc: Service, rebuild = false, marked = false): void {
    if (!marked) this.d.changed?.(svc.spec.name);
    if (rebuild) svc.rebuild = true;
    this.dirty.add(svc);
    if (this.timer === null && !this.stopped) this.timer = this.d.clock.setTimer(0, () => { this.timer = null; this.flush(); });
  }

  /** Something every VIP depends on changed (route settings, withheld VIPs, a first-round wait ended). */
  touchVips(): void { this.vipsDirty = true; }

  /** The set of services changed (a reload): regroup the VIPs; every service is dirty. */
  reconfigure(services: readonly Service[], route: RouteSpec): void {
    this.route = route;
    // An array, not an iterator: regroup would consume an iterator and leave no service touched.
    this.board.regroup(services);
    for (const svc of services) this.touch(svc, true);
    this.vipsDirty = true;
  }

  /**
   * New overrides: the services whose overrides changed are rebuilt (`find` names them); a change of
   * the instance's routing re-advertises at the next flush.
   */
  setOverrides(set: OverrideSet, instance: InstanceRouting, find: (service: string) => Service | undefined): void {
    const next = new Map<string, string>();
    for (const o of set.servers) next.set(o.pool, `${next.get(o.pool) ?? ''}${o.host}\u0000${o.state}\u0001`);
    for (const name of new Set([...this.overridden.keys(), ...next.keys()])) {
      const svc = this.overridden.get(name) !== next.get(name) ? find(name) : undefined;
      if (svc) this.touch(svc, true);
    }
    if (JSON.stringify(instance) !== JSON.stringify(this.instance) && this.instanceWas === undefined) this.instanceWas = this.instance;
    this.overrides = set;
    this.d.changed?.(null);
    this.overridden = next;
    this.instance = instance;
  }

  /** `svc` left the configuration: its realservers leave IPVS. */
  removed(svc: Service): void {
    this.d.changed?.(svc.spec.name);
    this.dirty.delete(svc);
    if (svc.published !== null) this.removedNames.push(svc.spec.name);
    svc.published = null;
  }

  /** Publish what changed, now. */
  flush(): void {
    if (this.timer !== null) { this.timer(); this.timer = null; }
    if (this.stopped || (this.dirty.size === 0 && !this.vipsDirty && this.removedNames.length === 0 && this.instanceWas === undefined)) return;
    const dirty = this.dirty;
    this.dirty = new Set();
    const changed: DesiredService[] = [];
    const vips = new Set<string>(this.vipsDirty ? this.board.allVips() : []);
    this.vipsDirty = false;
    for (const svc of dirty) {
      if (!this.d.live(svc)) continue;
      const d = this.desired(svc);
      if (d) changed.push(d);
      if (!svc.firstRoundDone && firstRoundComplete(svc)) {
        svc.firstRoundDone = true;
        this.d.log.info('first health round complete', { service: svc.spec.name });
      }
      const key = this.board.vipOf(svc.spec.name);
      if (key !== undefined) vips.add(key);
    }
    if (changed.length > 0 || this.removedNames.length > 0) {
      const removed = this.removedNames;
      this.removedNames = [];
      this.d.ipvs.applyChanges({ services: changed, removed });
    }
    // An overridden service's VIP health comes from its effective pool (depooling every server withdraws the VIP).
    const view = (svc: Service): ServiceView => ({
      spec: svc.spec, pool: this.overridden.has(svc.spec.name) ? poolForVips(svc.spec.name, svc.pool, this.overrides) : svc.pool,
      firstRoundDone: svc.firstRoundDone,
      waitOver: this.wait.over(svc.addedAt, this.route.firstRoundWaitMs, svc.firstRoundDone),
    });
    const inst = this.instance;
    let moved = this.board.update(vips, this.route, this.withheld, view, (x) => instanceDecision(x, inst));
    if (this.instanceWas !== undefined) {
      const was = this.instanceWas;
      this.instanceWas = undefined;
      for (const x of this.board.decisionList()) logDecision(this.d.log, instanceDecision(x, was), instanceDecision(x, inst));
      moved = true;
    }
    if (moved && this.d.speaker) this.d.speaker.setAdvertised(applyInstance({ routes: this.board.routeList(), decisions: [] }, this.instance).routes);
    if (!this.routesComplete && this.board.allSettled()) {
      this.routesComplete = true;
      this.d.speaker?.routesComplete?.();
    }
  }

  /** The service's realservers for IPVS, when its first list is resolved and they differ from the last. */
  private desired(svc: Service): DesiredService | null {
    if (!svc.delivered || !svc.initialized) return null;
    const pool = svc.pool;
    // Many changes at once (a rack going down): one pass over the pool is cheaper than many splices.
    const changed = this.overridden.has(svc.spec.name) ? this.rebuildOverridden(svc)
      : svc.published === null || svc.rebuild || pool.touched.size > 32 + pool.servers.size / 8 ? this.rebuild(svc) : this.patch(svc);
    pool.touched.clear();
    svc.rebuild = false;
    return changed ? { service: svc.spec.name, realServers: svc.published! } : null;
  }

  /** From the whole pool: O(pool). */
  private rebuild(svc: Service): boolean {
    const rs: DesiredRealServer[] = [];
    const ss: ServerState[] = [];
    for (const s of svc.pool.servers.values()) {
      const e = ipvsEntry(svc.spec, s);
      if (e !== null) { rs.push(e); ss.push(s); }
    }
    if (same(rs, svc.published)) return false;
    svc.published = rs;
    svc.publishedServers = ss;
    return true;
  }

  /**
   * Through the service's overrides, from the whole pool: O(pool). An entry equal to the one at the
   * same place in the last list is that object, so an unchanged list compares equal by identity.
   */
  private rebuildOverridden(svc: Service): boolean {
    const prev = svc.published ?? [];
    const rs: DesiredRealServer[] = [];
    const ss: ServerState[] = [];
    for (const { s, weight } of effectiveServers(svc.spec.name, svc.pool.threshold, svc.pool.servers.values(), this.overrides)) {
      const e = weightedEntry(svc.spec, s, weight);
      const p = prev[rs.length];
      rs.push(p !== undefined && sameEntry(e, p) ? p : e);
      ss.push(s);
    }
    if (same(rs, svc.published)) return false;
    svc.published = rs;
    svc.publishedServers = ss;
    return true;
  }

  /** Only the servers whose pooled state changed (published-list.ts); the private server index is patched too. */
  private patch(svc: Service): boolean {
    const next = patchList(svc.published!, svc.publishedServers, svc.pool.touched,
      (s) => (svc.pool.servers.get(s.host) === s ? ipvsEntry(svc.spec, s) : null));
    if (!next) return false;
    svc.published = next.rs;
    svc.publishedServers = next.ss;
    return true;
  }

  decisions(): VipDecision[] { return applyInstance({ routes: [], decisions: this.board.decisionList() }, this.instance).decisions; }

  stop(): void {
    this.stopped = true;
    if (this.timer !== null) { this.timer(); this.timer = null; }
    this.wait.stop();
  }
}
