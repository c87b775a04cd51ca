import type { BgpMessage } from '../bgp/types.js';
import type { Negotiated } from '../fsm/types.js';
import type { Logger } from '../log/logger.js';
import { AdjRibOut, endOfRib, type RibOutOptions, type RibOutPlan } from './adj-rib-out.js';
import type { PeerStats } from './peer-stats.js';
import type { CheckedRoute, FamilyName } from './routes.js';
import type { SpeakerEvent } from './types.js';

export interface AnnouncerContext {
  peer: string;
  log: Logger;
  stats: PeerStats;
  emit(e: SpeakerEvent): void;
  send(m: BgpMessage): void;
}

/** The announcing side of one Established session: its Adj-RIB-Out and the UPDATEs that keep it. */
export class Announcer {
  private readonly rib: AdjRibOut;
  private unsendable = new Set<string>();

  constructor(private readonly c: AnnouncerContext, private readonly opts: RibOutOptions) {
    this.rib = new AdjRibOut(opts);
  }

  get size(): number { return this.rib.size; }

  /** The initial table, then End-of-RIB per family (RFC 4724 §2) unless the routes are not all known yet. */
  initial(routes: readonly CheckedRoute[], complete = true): void {
    this.apply(routes);
    if (complete) this.endOfRib();
  }

  /** RFC 4724 §4.1: End-of-RIB once the initial routes are out; after a restart the peer drops what is still stale. */
  endOfRib(): void {
    for (const f of this.opts.families) this.c.send(endOfRib(f));
  }

  /** Sends the difference to the newly declared routes. */
  apply(routes: readonly CheckedRoute[]): void {
    this.sendPlan(this.rib.plan(routes));
  }

  withdrawAll(): void {
    const withdrawn = this.rib.prefixes;
    const updates = this.rib.withdrawAll();
    for (const u of updates) this.c.send(u);
    if (withdrawn.length) this.c.emit({ event: 'update-sent', peer: this.c.peer, announced: [], withdrawn, messages: updates.length });
  }

  /** RFC 2918 §4 re-send the family's Adj-RIB-Out; RFC 7313 §4 wrapped in BoRR/EoRR when enhanced. */
  refresh(afi: number, safi: number, n: Negotiated): void {
    const family: FamilyName | null = safi === 1 && afi === 1 ? 'ipv4' : safi === 1 && afi === 2 ? 'ipv6' : null;
    if (!family || !n.families.some((f) => f.afi === afi && f.safi === safi)) return;
    this.c.emit({ event: 'route-refresh', peer: this.c.peer, family: `${family}-unicast`, enhanced: n.enhancedRouteRefresh });
    if (n.enhancedRouteRefresh) this.c.send({ type: 'ROUTE-REFRESH', afi, safi, subtype: 1 });
    for (const u of this.rib.full(family)) this.c.send(u);
    if (n.enhancedRouteRefresh) this.c.send({ type: 'ROUTE-REFRESH', afi, safi, subtype: 2 });
    else this.c.send(endOfRib(family));
  }

  private sendPlan(plan: RibOutPlan): void {
    for (const u of plan.updates) this.c.send(u);
    if (plan.updates.length) {
      this.c.emit({ event: 'update-sent', peer: this.c.peer, announced: plan.announced, withdrawn: plan.withdrawn, messages: plan.updates.length });
    }
    const newlyRefused = plan.refused.filter((p) => !this.c.stats.refused.includes(p));
    this.c.stats.refused = plan.refused;
    if (newlyRefused.length) {
      const reason = `over the outbound cap of ${this.opts.maxPrefixes} (bgp-max-announce)`;
      this.c.log.warn('prefixes refused', { count: newlyRefused.length, reason });
      this.c.emit({ event: 'refused', peer: this.c.peer, prefixes: newlyRefused, reason });
    }
    const newlyUnsendable = plan.unsendable.filter((p) => !this.unsendable.has(p));
    this.unsendable = new Set(plan.unsendable);
    if (newlyUnsendable.length) {
      // Families are fixed at OPEN time: set PeerConfig.families to every family that may ever have a VIP.
      const reason = `family not negotiated on this session (offered: ${this.opts.families.join(', ') || 'none'}) or no next hop for it`;
      this.c.log.warn('routes cannot be sent on this session', { count: newlyUnsendable.length, reason });
      this.c.emit({ event: 'refused', peer: this.c.peer, prefixes: newlyUnsendable, reason });
    }
  }
}
