import type {
  Capability, DecodeError, Family, NotificationMessage, OpenMessage, BgpMessage,
  RouteRefreshMessage, UpdateMessage,
} from '../bgp/types.js';

/** RFC 4271 §8.2.2 session states. */
export type State = 'Idle' | 'Connect' | 'Active' | 'OpenSent' | 'OpenConfirm' | 'Established';
export const STATES: readonly State[] = ['Idle', 'Connect', 'Active', 'OpenSent', 'OpenConfirm', 'Established'];

/**
 * Named timers. `dampingReset` is ours (RFC 4271 §8.1.1 leaves the damping method open): it runs
 * while Established, and when it fires the session counts as stable and the IdleHold back-off resets.
 */
export type TimerName = 'connectRetry' | 'hold' | 'keepalive' | 'idleHold' | 'delayOpen' | 'dampingReset' | 'sendHold';
export const TIMERS: readonly TimerName[] = ['connectRetry', 'hold', 'keepalive', 'idleHold', 'delayOpen', 'dampingReset', 'sendHold'];

export type TransportMode = 'active' | 'passive' | 'both';

/** What one session is configured with; times in milliseconds except the wire's hold time. */
export interface SessionConfig {
  localAs: number;
  /** The AS the peer must announce; undefined = any (as PyBal), the one learned goes in Negotiated. */
  peerAs?: number;
  bgpId: string;
  /** Seconds, as offered in our OPEN (0, or at least 3). */
  holdTime: number;
  /** Seconds; defaults to a third of the negotiated hold time. */
  keepalive?: number;
  mode: TransportMode;
  /** Families we offer (multiprotocol capability); IPv4 unicast when empty. */
  families: Family[];
  /** RFC 4724 restart time to advertise, seconds; undefined = no graceful-restart capability. */
  gracefulRestartTime?: number;
  /** RFC 9687 send hold time in ms; undefined = max(8 minutes, 2 × hold time). */
  sendHoldMs?: number;
  /** RFC 4271 §8.1.1 DelayOpen; 0 or undefined = off. */
  delayOpenMs?: number;
  connectRetryMs: number;
  /** IdleHold back-off: first wait, ceiling, and how long Established must last to reset it. */
  idleHoldMs: number;
  idleHoldMaxMs: number;
  stableMs: number;
}

/** What both OPENs agreed on. */
export interface Negotiated {
  holdTime: number;
  keepalive: number;
  families: Family[];
  fourOctetAs: boolean;
  routeRefresh: boolean;
  enhancedRouteRefresh: boolean;
  extendedMessage: boolean;
  /** RFC 4724 §3: both sides sent the Graceful Restart capability. */
  gracefulRestart: boolean;
  /** RFC 8538 §2: both sides set the N bit; a NOTIFICATION other than Hard Reset keeps graceful restart. */
  gracefulNotification: boolean;
  peerBgpId: string;
  /** The peer's AS from its OPEN (capability 65 or My AS): the configured one, or learned. */
  peerAs: number;
  /** Capabilities the peer sent, as decoded. */
  peerCapabilities: Capability[];
}

export interface Session {
  state: State;
  config: SessionConfig;
  connectRetryCounter: number;
  /** Next IdleHold wait; doubles on each fall back to Idle, reset after a stable session. */
  idleHoldMs: number;
  delayOpenRunning: boolean;
  /** Capability codes the peer refused with 2/7; left out of our next OPEN. */
  suppressedCapabilities: number[];
  /** The peer refused optional parameters (2/4): send a bare OPEN. */
  bareOpen: boolean;
  negotiated?: Negotiated;
  /** Set by ManualStop: no automatic restart until the next ManualStart. */
  stopped: boolean;
  /** Who opened the current TCP connection; null without one (RFC 4271 §6.8 needs it). */
  connection: 'outbound' | 'inbound' | null;
  /** The transport holds bytes it could not hand to the peer (RFC 9687: the send hold timer runs). */
  sendBlocked: boolean;
  /** RFC 4724 §3 Restart State: set in our OPENs until the first session after a restart is Established. */
  restarting: boolean;
}

export type FsmEvent =
  | { type: 'ManualStart' }
  /**
   * `graceful`: a planned restart (RFC 4724): with graceful restart negotiated, no Cease — the
   * connection closes (or, with RFC 8538's N bit, `notification` goes, never a Hard Reset).
   */
  | { type: 'ManualStop'; notification?: NotificationMessage; graceful?: boolean }
  | { type: 'AutomaticStop'; notification: NotificationMessage; reason: string }
  | { type: 'TimerExpired'; timer: TimerName }
  | { type: 'TcpConnected'; direction: 'outbound' | 'inbound' }
  | { type: 'TcpFails'; reason?: string }
  | { type: 'Open'; open: OpenMessage }
  | { type: 'MessageError'; error: DecodeError }
  | { type: 'Notification'; notification: NotificationMessage }
  | { type: 'Keepalive' }
  | { type: 'Update'; update: UpdateMessage }
  | { type: 'RouteRefresh'; refresh: RouteRefreshMessage }
  /** An OPEN on a second connection from the peer, held by the driver (RFC 4271 §6.8). */
  | { type: 'CollisionOpen'; open: OpenMessage }
  /** Writes no longer fit the socket buffer: the peer is not reading what we send (RFC 9687). */
  | { type: 'SendBlocked' }
  /** The socket buffer drained: the peer is reading again. */
  | { type: 'SendDrained' };

export type FsmEventType = FsmEvent['type'];

export type Effect =
  | { type: 'send'; message: BgpMessage }
  | { type: 'startTimer'; timer: TimerName; ms: number }
  | { type: 'stopTimer'; timer: TimerName }
  | { type: 'connect' }
  | { type: 'close' }
  | { type: 'established'; negotiated: Negotiated }
  | { type: 'down'; reason: string; sent?: NotificationMessage; received?: NotificationMessage }
  | { type: 'update'; update: UpdateMessage }
  | { type: 'updateError'; error: DecodeError }
  | { type: 'routeRefresh'; refresh: RouteRefreshMessage }
  | { type: 'capabilityFallback'; dropped: number[] | 'all' }
  /** RFC 4271 §6.8: send this on the held second connection and close it; the current one stays. */
  | { type: 'rejectCollision'; notification: NotificationMessage }
  /** RFC 4271 §6.8: the held second connection becomes the current one (the old one was closed). */
  | { type: 'acceptCollision' };

export interface TransitionResult { session: Session; effects: Effect[] }
