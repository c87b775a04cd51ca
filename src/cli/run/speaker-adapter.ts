/** The coordinator's SpeakerPort and the API's BGP status, on top of the real speaker. */
import type { BgpPeerStatus, BgpStatus } from '../../api/types.js';
import type { Route, SpeakerPort } from '../../coordinator/types.js';
import type { Logger } from '../../log/logger.js';
import type { PeerStatus, Speaker, SpeakerStatus } from '../../speaker/index.js';

export class SpeakerAdapter implements SpeakerPort {
  constructor(private readonly speaker: Speaker, private readonly log: Logger) {}

  setAdvertised(routes: Route[]): void {
    try {
      this.speaker.setAdvertised(routes);
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
  };
}

export function bgpStatus(s: SpeakerStatus | null, now: number): BgpStatus {
  if (!s) return { enabled: false, localAs: null, peers: [] };
  return { enabled: true, localAs: s.localAs, peers: s.peers.map((p) => peerStatus(p, now)) };
}
