import { notificationName, type NotificationMessage } from '../bgp/index.js';
import { readShutdownCommunication, type Session } from '../fsm/index.js';
import type { Clock } from '../time/clock.js';
import { familyNames } from './describe.js';
import type { NotificationRecord, PeerConfig, PeerStatus } from './types.js';
import type { AdjRibIn } from './adj-rib-in.js';

/** The counters and last events of one peer, for `/bgp` and metrics. */
export class PeerStats {
  since: number;
  establishedAt: number | null = null;
  refused: string[] = [];
  lastSent: NotificationRecord | null = null;
  lastReceived: NotificationRecord | null = null;
  lastDown: string | null = null;
  /** The peer's AS from its last accepted OPEN. */
  learnedAs: number | null = null;
  flaps = 0;
  updatesSent = 0;
  updatesReceived = 0;

  constructor(private readonly clock: Clock) {
    this.since = clock.wallNow();
  }

  record(n: NotificationMessage): NotificationRecord {
    const r: NotificationRecord = { code: n.code, subcode: n.subcode, name: notificationName(n.code, n.subcode), at: this.clock.wallNow() };
    const text = readShutdownCommunication(n);
    if (text !== null) r.message = text;
    return r;
  }

  status(cfg: PeerConfig, fsm: Session, advertised: number, ribIn: Pick<AdjRibIn, 'size' | 'limit' | 'beyondLimit' | 'discardedTotal'>, side: PeerStatus['side'], sendQueueBytes = 0): PeerStatus {
    const n = fsm.negotiated;
    const est = fsm.state === 'Established';
    return {
      peer: cfg.address, peerAs: cfg.peerAs ?? n?.peerAs ?? this.learnedAs, peerAsConfigured: cfg.peerAs !== undefined, localAddress: cfg.localAddress ?? null, side, state: fsm.state,
      since: this.since, uptimeMs: est && this.establishedAt !== null ? this.clock.wallNow() - this.establishedAt : null,
      holdTime: n?.holdTime ?? null, keepalive: n?.keepalive ?? null,
      capabilities: n ? {
        families: familyNames(n.families), fourOctetAs: n.fourOctetAs, routeRefresh: n.routeRefresh,
        enhancedRouteRefresh: n.enhancedRouteRefresh, gracefulRestart: n.gracefulRestart,
      } : null,
      prefixesAdvertised: advertised, prefixesReceived: ribIn.size, inboundLimit: ribIn.limit, prefixesBeyondLimit: ribIn.beyondLimit,
      prefixesDiscarded: ribIn.discardedTotal, prefixesRefused: [...this.refused],
      lastNotificationSent: this.lastSent, lastNotificationReceived: this.lastReceived, lastDownReason: this.lastDown,
      flaps: this.flaps, updatesSent: this.updatesSent, updatesReceived: this.updatesReceived, sendQueueBytes,
    };
  }
}
