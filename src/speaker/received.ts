import type { DecodeError, Family, NotificationMessage, UpdateMessage } from '../bgp/types.js';
import { maxPrefixesReached } from '../fsm/index.js';
import type { Logger } from '../log/logger.js';
import { AdjRibIn, DEFAULT_INBOUND_LIMIT } from './adj-rib-in.js';
import type { PeerStats } from './peer-stats.js';
import type { PeerConfig, SpeakerEvent } from './types.js';

export interface ReceivedContext {
  peer: string;
  cfg: Pick<PeerConfig, 'inboundLimit' | 'inboundLimitAction'>;
  log: Logger;
  stats: PeerStats;
  emit(e: SpeakerEvent): void;
  /** Ends the session (AutomaticStop) with this NOTIFICATION. */
  teardown(n: NotificationMessage, reason: string): void;
}

/** The receiving side of one session: counts what the peer sends, applies the inbound limit. */
export class Received {
  readonly ribIn: AdjRibIn;

  constructor(private readonly c: ReceivedContext) {
    this.ribIn = new AdjRibIn(c.cfg.inboundLimit ?? DEFAULT_INBOUND_LIMIT);
  }

  update(u: UpdateMessage): void {
    this.c.stats.updatesReceived++;
    const err = u.errors?.[0];
    if (err) this.updateError(err);
    // RFC 7606 §2: the UPDATE's routes count as withdrawn
    if (u.treatAsWithdraw) { this.ribIn.withdrawAllOf(u); return; }
    const wasOver = this.ribIn.beyondLimit > 0;
    const r = this.ribIn.apply(u);
    this.c.emit({ event: 'update-received', peer: this.c.peer, announced: r.announced, withdrawn: r.withdrawn, total: r.total });
    if (r.overLimit) this.overInboundLimit(r.overLimit, wasOver);
  }

  updateError(e: DecodeError): void {
    this.c.log.warn('UPDATE error handled without reset (RFC 7606)', { error: e.message, action: e.action });
    this.c.emit({ event: 'update-error', peer: this.c.peer, code: e.code, subcode: e.subcode, action: e.action, message: e.message });
  }

  /**
   * The peer sent more than the inbound limit. vipd uses no received route, so by default the excess
   * is discarded and counted (the alert comes from status()); only `teardown` ends the session.
   */
  private overInboundLimit(family: Family, wasOver: boolean): void {
    const limit = this.ribIn.limit;
    if (this.c.cfg.inboundLimitAction === 'teardown') {
      // RFC 4486 §4: Cease / Maximum Number of Prefixes Reached, with AFI, SAFI and the limit
      this.c.teardown(maxPrefixesReached(family, limit), `peer sent more than ${limit} prefixes`);
      return;
    }
    if (wasOver) return;
    this.c.log.warn('peer sent more prefixes than the inbound limit: the excess is discarded, the session kept', { limit, received: this.ribIn.size });
    this.c.emit({ event: 'inbound-limit', peer: this.c.peer, limit, received: this.ribIn.size, action: 'discard' });
  }
}
