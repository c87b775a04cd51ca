/** The coordinator's SpeakerPort and the API's BGP status, on top of the real speaker. */
import type { BgpPeerStatus, BgpStatus } from '../../api/types.js';
import type { Alert, CoordinatorStatus } from '../../coordinator/status.js';
import type { Route, SpeakerPort } from '../../coordinator/types.js';
import type { Logger } from '../../log/logger.js';
import type { PeerStatus, SpeakerControl, SpeakerStatus } from '../../speaker/index.js';

export class SpeakerAdapter implements SpeakerPort {
  private routes: Route[] = [];

  /** `always`: routes announced whatever the coordinator decides (advertised_instrumentation_ips). */
  constructor(private readonly speaker: SpeakerControl, private readonly log: Logger, private always: Route[] = []) {
    if (always.length) this.push();
  }

  setAdvertised(routes: Route[]): void {
    this.routes = routes;
    this.push();
  }

  routesComplete(): void {
    this.speaker.routesComplete();
  }

  /** Replaces the routes announced regardless of health (config reload). */
  setAlways(routes: Route[]): void {
    this.always = routes;
    this.push();
  }

  private push(): void {
    const have = new Set(this.routes.map((r) => r.prefix));
    try {
      this.speaker.setAdvertised([...this.routes, ...this.always.filter((r) => !have.has(r.prefix))]);
    } catch (e) {
      this.log.error(`routes rejected by the speaker: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
}

function capabilities(p: PeerStatus): string[] {
  const c = p.capabilities;
  if (!c) return [];
  return [
    ...c.families.map((f) => `multiprotocol ${f}`),
    ...(c.fourOctetAs ? ['four-octet-as'] : []),
    ...(c.routeRefresh ? ['route-refresh'] : []),
    ...(c.enhancedRouteRefresh ? ['enhanced-route-refresh'] : []),
    ...(c.gracefulRestart ? ['graceful-restart'] : []),
  ];
}

export function peerStatus(p: PeerStatus, now: number): BgpPeerStatus {
  return {
    peer: p.peer, peerAs: p.peerAs, localIp: p.localAddress, state: p.state,
    establishedSince: p.uptimeMs === null ? null : now - p.uptimeMs,
    holdTime: p.holdTime, capabilities: capabilities(p),
    prefixesAdvertised: p.prefixesAdvertised, prefixesReceived: p.prefixesReceived,
    side: p.side, lastNotificationSent: p.lastNotificationSent, lastNotificationReceived: p.lastNotificationReceived,
    prefixesRefused: p.prefixesRefused, inboundLimit: p.inboundLimit,
    prefixesBeyondLimit: p.prefixesBeyondLimit, prefixesDiscarded: p.prefixesDiscarded,
    lastDownReason: p.lastDownReason, sendQueueBytes: p.sendQueueBytes,
  };
}

export function bgpStatus(s: SpeakerStatus | null, now: number): BgpStatus {
  if (!s) return { enabled: false, localAs: null, peers: [] };
  return { enabled: true, localAs: s.localAs, peers: s.peers.map((p) => peerStatus(p, now)) };
}

/** Why a VIP the coordinator announces did not reach a peer. */
export interface NotAnnouncedTo { peer: string; reason: string }

/**
 * The coordinator's status with what the speaker actually did (issue 11 §9): a VIP refused by a
 * peer's outbound cap says so in /vips (and is not announced when every peer refused it), and the
 * cap and the inbound limit raise alerts naming the peer. Pure; the alerts last while the cause does.
 */
export function withSpeakerTruth(c: CoordinatorStatus, b: BgpStatus): CoordinatorStatus {
  const peers = b.peers;
  if (!peers.length) return c;
  const vips = c.vips.map((v) => {
    if (!v.announced) return v;
    const refusedBy = peers.filter((p) => p.prefixesRefused?.includes(v.prefix));
    if (!refusedBy.length) return v;
    const notAnnouncedTo: NotAnnouncedTo[] = refusedBy.map((p) => ({ peer: p.peer, reason: 'over bgp-max-announce' }));
    const text = notAnnouncedTo.map((n) => `not announced to ${n.peer}: ${n.reason}`).join('; ');
    const everywhere = refusedBy.length === peers.length;
    return { ...v, announced: !everywhere, reason: `${v.reason}; ${text}`, notAnnouncedTo };
  });
  const alerts: Alert[] = [];
  for (const p of peers) {
    const refused = p.prefixesRefused ?? [];
    if (refused.length) {
      alerts.push({
        level: 'warning', source: `bgp ${p.peer}`,
        message: `${refused.length} VIP${refused.length === 1 ? '' : 's'} not announced to ${p.peer}: over bgp-max-announce (${refused.join(', ')})`,
      });
    }
    if (p.prefixesBeyondLimit) {
      alerts.push({
        level: 'warning', source: `bgp ${p.peer}`,
        message: `${p.peer} sent ${p.prefixesReceived} prefixes, over bgp-max-prefixes ${p.inboundLimit}: ${p.prefixesBeyondLimit} discarded, session kept`,
      });
    }
  }
  return { ...c, vips, alerts: [...c.alerts, ...alerts] };
}
