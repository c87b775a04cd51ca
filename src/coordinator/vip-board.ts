/**
 * The VIP decisions, kept per VIP and recomputed only for the VIPs a change touched (issue 13
 * §1). The rule itself is pure (vip-inputs.ts → vip-policy.ts); this holds its results, the
 * settled latch, and the route list handed to the speaker.
 */
import type { Logger } from '../log/logger.js';
import type { Route, RouteSpec } from './types.js';
import { groupByVip, vipInput, type ServiceView } from './vip-inputs.js';
import { decideVip, type VipDecision } from './vip-policy.js';

function sameRoute(a: Route | undefined, b: Route | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return a.nextHop === b.nextHop && a.med === b.med && a.asPathPrepend === b.asPathPrepend
    && a.communities.join() === b.communities.join() && a.largeCommunities.join() === b.largeCommunities.join();
}

/** Logs a VIP that was announced or withdrawn, or whose MED changed (`b`: its decision before, if any). */
export function logDecision(log: Logger, b: VipDecision | undefined, x: VipDecision): void {
  if (b ? b.announced === x.announced && b.med === x.med : !x.announced) return;
  log.info(`${x.announced ? `VIP announced with MED ${x.med}` : 'VIP withdrawn'}: ${x.reason}`, { vip: x.prefix });
}

/** `shown`: the decision as it goes out (an instance depool, issue 15), for the log. */
export class VipBoard<S extends ServiceView> {
  private groups = new Map<string, S[]>();
  private readonly vipOfService = new Map<string, string>();
  private readonly settled = new Set<string>();
  private readonly decisions = new Map<string, VipDecision>();
  private readonly routes = new Map<string, Route>();
  private sortedDecisions: VipDecision[] | null = [];
  /** regroup() removed a route: the next update reports a change even if no remaining VIP moved. */
  private dropped = false;

  constructor(private readonly log: Logger) {}

  /** The services changed (a reload): regroup; VIPs that left lose their latch, decision and route. */
  regroup(services: Iterable<S>): void {
    this.groups = groupByVip(services);
    this.vipOfService.clear();
    for (const [key, g] of this.groups) for (const s of g) this.vipOfService.set(s.spec.name, key);
    for (const key of [...this.settled]) if (!this.groups.has(key)) this.settled.delete(key);
    for (const key of [...this.decisions.keys()]) {
      if (this.groups.has(key)) continue;
      this.decisions.delete(key);
      if (this.routes.delete(key)) this.dropped = true;
      this.sortedDecisions = null;
    }
  }

  vipOf(service: string): string | undefined { return this.vipOfService.get(service); }

  /** Every VIP with BGP services is settled (decided on a first round or its wait): O(VIPs). */
  allSettled(): boolean {
    for (const [key, g] of this.groups) if (!this.settled.has(key) && g.some((s) => s.spec.bgp)) return false;
    return true;
  }

  allVips(): Iterable<string> { return this.groups.keys(); }

  /**
   * Decide the VIPs `keys` again (`view` adds what changes with time, e.g. waitOver). Returns
   * whether the announced routes changed.
   */
  update(
    keys: Iterable<string>, route: RouteSpec, withheld: ReadonlyMap<string, string>, view: (s: S) => ServiceView,
    shown: (d: VipDecision) => VipDecision = (d) => d,
  ): boolean {
    let changed = false;
    for (const key of keys) {
      const group = this.groups.get(key);
      if (!group) continue;
      const { decision: x, route: r } = decideVip(vipInput(key, group.map(view), route, this.settled, withheld), route);
      const b = this.decisions.get(key);
      this.decisions.set(key, x);
      this.sortedDecisions = null;
      logDecision(this.log, b && shown(b), shown(x));
      if (sameRoute(this.routes.get(key), r)) continue;
      if (r) this.routes.set(key, r); else this.routes.delete(key);
      changed = true;
    }
    changed ||= this.dropped;
    this.dropped = false;
    return changed;
  }

  /** Decisions for every VIP, sorted by prefix. */
  decisionList(): VipDecision[] {
    this.sortedDecisions ??= [...this.decisions.values()].sort((a, b) => a.prefix.localeCompare(b.prefix));
    return this.sortedDecisions;
  }

  /** The routes to advertise to every peer, sorted by prefix. */
  routeList(): Route[] {
    return [...this.routes.values()].sort((a, b) => a.prefix.localeCompare(b.prefix));
  }
}
