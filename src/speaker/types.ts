import type { State, TransportMode } from '../fsm/types.js';
import type { FamilyName } from './routes.js';

/** One BGP neighbor (a site router). */
export interface PeerConfig {
  /** The router's address; our source address must be the one it has configured as neighbor. */
  address: string;
  /** The AS the router must announce (else NOTIFICATION 2/2); undefined = any AS, learned from its OPEN (as PyBal). */
  peerAs?: number;
  /** Our address towards it (bound for connects, listened on for accepts). */
  localAddress?: string;
  /** TCP port of the router (active) and ours (passive); default 179. */
  port?: number;
  /** Seconds offered in OPEN; default 90; 0 or at least 3. */
  holdTime?: number;
  /** Seconds; default a third of the negotiated hold time. */
  keepalive?: number;
  /** Connect out, accept in, or both (§6.8 collision); default 'active'. */
  mode?: TransportMode;
  /** Per-family next hop; default the local address of that family. */
  nextHop?: { ipv4?: string; ipv6?: string };
  /** Outbound cap (bgp-max-announce): never send more (refuse the excess, keep the session); default none. */
  maxPrefixes?: number;
  /** Communities added to every route sent to this peer (RFC 1997 values, after the route's own). */
  communities?: number[];
  /** Received prefixes counted per family (bgp-max-prefixes); default 10,000. Beyond it: `inboundLimitAction`. */
  inboundLimit?: number;
  /** Beyond the inbound limit: discard and count (default; the session stays), or Cease 6/1 (RFC 4486). */
  inboundLimitAction?: 'discard' | 'teardown';
  /**
   * Families offered; default ipv4 plus every family with a declared route when the session opens.
   * Families are fixed at OPEN time: set this when VIPs of a family may appear later.
   */
  families?: FamilyName[];
  /** RFC 4724 restart time advertised, seconds; undefined = no graceful-restart capability. */
  gracefulRestartTime?: number;
  /** RFC 9687 send hold time, ms; undefined = max(8 minutes, 2 × hold time). */
  sendHoldMs?: number;
  /**
   * RFC 2385 TCP-MD5 key (1..80 bytes) on the connecting and the listening socket; an object so
   * that the secret itself never appears in a dump of the config (config's Secret).
   */
  md5Key?: { bytes(): Uint8Array };
  /** RFC 5082 GTSM: send with TTL 255, accept only segments with TTL ≥ 254 (directly connected). */
  ttlSecurity?: boolean;
  delayOpenMs?: number;
  connectRetryMs?: number;
  idleHoldMs?: number;
  idleHoldMaxMs?: number;
  stableMs?: number;
}

export interface SpeakerConfig {
  localAs: number;
  /** BGP identifier (dotted quad); required when no peer has an IPv4 local address. */
  routerId?: string;
  peers: PeerConfig[];
  /** How long stop() waits for each socket to flush and close; default 2000 ms. */
  closeTimeoutMs?: number;
  /** This process restarted with graceful restart (RFC 4724 §3): the R bit in each peer's first OPEN. */
  restarting?: boolean;
  /**
   * The declared routes are not all known yet (first health round): End-of-RIB waits for
   * `routesComplete()`, so a peer keeping our stale routes drops none that are still healthy.
   */
  awaitRoutes?: boolean;
}

export interface NotificationRecord {
  code: number;
  subcode: number;
  name: string;
  /** RFC 9003 shutdown communication, when there is one. */
  message?: string;
  /** Wall-clock ms. */
  at: number;
}

export interface PeerStatus {
  peer: string;
  /** The configured AS, else the one learned from the peer's last accepted OPEN; null before any. */
  peerAs: number | null;
  /** False when any AS is accepted (no peerAs configured). */
  peerAsConfigured: boolean;
  localAddress: string | null;
  /** PyBal's `side`: active when the current connection is ours (to the peer's port 179). */
  side: 'active' | 'passive' | null;
  state: State;
  /** Wall-clock ms of the last state change. */
  since: number;
  /** Milliseconds Established, or null. */
  uptimeMs: number | null;
  holdTime: number | null;
  keepalive: number | null;
  capabilities: { families: string[]; fourOctetAs: boolean; routeRefresh: boolean; enhancedRouteRefresh: boolean; gracefulRestart: boolean } | null;
  prefixesAdvertised: number;
  prefixesReceived: number;
  /** The inbound limit per family, and the received prefixes held beyond it (counted, not kept); 0 = within it. */
  inboundLimit: number;
  prefixesBeyondLimit: number;
  /** Announcements discarded over the inbound limit since the session came up. */
  prefixesDiscarded: number;
  /** Declared but held back by the outbound cap (maxPrefixes, bgp-max-announce). */
  prefixesRefused: string[];
  lastNotificationSent: NotificationRecord | null;
  lastNotificationReceived: NotificationRecord | null;
  lastDownReason: string | null;
  /** Times the session fell from Established. */
  flaps: number;
  updatesSent: number;
  updatesReceived: number;
  /** Octets written that the peer has not taken yet (beyond the kernel's buffers); RFC 9687 send hold. */
  sendQueueBytes: number;
}

export interface SpeakerStatus { localAs: number; routerId: string; advertised: number; peers: PeerStatus[] }

/** What happens on a session, as one JSON-able object per event (`vipd speak` prints these). */
export type SpeakerEvent =
  | { event: 'state'; peer: string; state: State; previous: State }
  | { event: 'open-received'; peer: string; asn: number; holdTime: number; bgpId: string; capabilities: string[] }
  | { event: 'established'; peer: string; peerAs: number; holdTime: number; keepalive: number; families: string[]; capabilities: string[] }
  | { event: 'update-sent'; peer: string; announced: string[]; withdrawn: string[]; messages: number }
  | { event: 'update-received'; peer: string; announced: number; withdrawn: number; total: number }
  | { event: 'inbound-limit'; peer: string; limit: number; received: number; action: 'discard' }
  | { event: 'notification-sent' | 'notification-received'; peer: string; code: number; subcode: number; name: string; message?: string }
  | { event: 'refused'; peer: string; prefixes: string[]; reason: string }
  | { event: 'route-refresh'; peer: string; family: string; enhanced: boolean }
  | { event: 'capability-fallback'; peer: string; dropped: number[] | 'all' }
  | { event: 'update-error'; peer: string; code: number; subcode: number; action: string; message: string }
  | { event: 'down'; peer: string; reason: string };
