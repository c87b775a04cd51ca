/**
 * The read-only status the instrumentation server renders. The composition root fills these from
 * the coordinator, the speaker and the IPVS reconciler; this folder never holds live objects.
 */
import type { CoordinatorStatus, MonitorStatus, PoolStatus } from '../coordinator/status.js';
import type { CheckMetricsStatus, CheckSeries, ServiceSchedule } from '../health/index.js';
import type { EventEntry } from '../log/event-ring.js';

export interface NotificationInfo {
  code: number;
  subcode: number;
  /** e.g. "Cease/Administrative Shutdown". */
  name: string;
  /** RFC 9003 shutdown communication, when there was one. */
  message?: string;
  /** Wall-clock ms. */
  at: number;
}

export interface BgpPeerStatus {
  peer: string;
  peerAs: number | null;
  localIp: string | null;
  state: string;
  /** Wall-clock ms when the session became Established, null when it is not. */
  establishedSince: number | null;
  /** Negotiated hold time in seconds, null before OPENs were exchanged. */
  holdTime: number | null;
  capabilities: string[];
  prefixesAdvertised: number;
  prefixesReceived: number;
  /** 'active' when we connected to the peer's port 179, 'passive' when it connected to us. */
  side: 'active' | 'passive' | null;
  lastNotificationSent: NotificationInfo | null;
  lastNotificationReceived: NotificationInfo | null;
  /** VIPs declared but not sent to this peer: over its outbound cap (bgp-max-announce). */
  prefixesRefused?: string[];
  /** The inbound limit (bgp-max-prefixes), received prefixes held past it (discarded, counted), and discards since up. */
  inboundLimit?: number;
  prefixesBeyondLimit?: number;
  prefixesDiscarded?: number;
  /** Why the session last went down (e.g. "send hold timer expired: …"), null if it never did. */
  lastDownReason?: string | null;
  /** Octets we wrote that the peer has not taken yet; grows when a router stops reading (RFC 9687). */
  sendQueueBytes?: number;
  /** BFD with this peer (bgp-bfd = yes), see docs/bfd.md; absent when off. */
  bfd?: BfdPeerView;
}

/** One peer's BFD session (RFC 5880): states, diagnostics, timers in ms, Up → Down failures. */
export interface BfdPeerView {
  state: string; remoteState: string; diag: string; remoteDiag: string;
  intervalMs: number; multiplier: number; txIntervalMs: number; detectMs: number;
  flaps: number; upSince: number | null; lastDown: { at: number; diag: string } | null;
  packetsSent: number; packetsReceived: number;
}

export interface BgpStatus {
  enabled: boolean;
  localAs: number | null;
  peers: BgpPeerStatus[];
}

/** Extra counters from the IPVS reconciler (absent when it keeps none). */
export interface IpvsStatus {
  driver: string;
  repairsTotal: number;
  appliesTotal: number;
  errorsTotal: number;
  lastError: string | null;
}

/** One realserver's kernel counters from the last read (issue 16 §1); `server` is its address as IPVS lists it. */
export interface RealServerCountersView {
  service: string;
  server: string;
  port: number;
  /** The pool's host of that address (null: not in the pool, e.g. adopted). */
  host: string | null;
  weight: number;
  active: number;
  inactive: number;
  connectionsPerSecond: number;
  inBytesPerSecond: number;
  outBytesPerSecond: number;
  /** The black-hole rule (issue 16 §2) flags it now. */
  blackholed: boolean;
}

/** The counters read every ipvs-stats-interval (absent when the interval is 0). */
export interface CountersStatus {
  intervalSeconds: number;
  /** Wall-clock ms of the last good read, null before it. */
  readAt: number | null;
  lastError: string | null;
  servers: RealServerCountersView[];
}

/** When the configuration was last loaded (start or SIGHUP) and when a reload was last rejected, wall-clock ms. */
export interface ReloadStatus {
  okAt: number | null;
  errorAt: number | null;
}

/** Main-thread event-loop delay beyond the sampling timer, in seconds (a Prometheus summary). */
export interface LoopLag {
  p50: number;
  p99: number;
  max: number;
  /** Cumulative over the process lifetime. */
  sum: number;
  count: number;
}

export type GcKind = 'minor' | 'major' | 'incremental' | 'weakcb';
/** The main thread's garbage collections since start, by kind: how many, and their pauses summed (gc-totals.ts). */
export type GcTotals = Record<GcKind, { count: number; seconds: number }>;

/**
 * One reading of a StatusSource as plain data (structured-clone safe): what the API worker
 * thread renders every endpoint from, so the main thread only pays for taking it.
 */
export interface StatusSnapshot {
  coordinator: CoordinatorStatus;
  bgp: BgpStatus;
  ipvs: IpvsStatus | null;
  startedAt: number;
  now: number;
  loopLag: LoopLag | null;
  /** The main thread's collections (absent from sources that do not measure them: tests). */
  gc?: GcTotals;
  /** Absent from sources without health checks or reloads (tests, `vipd speak`). */
  checks?: CheckMetricsStatus;
  reload?: ReloadStatus;
  /** Per service: how the health checks keep their schedule (absent without health checks). */
  schedule?: ServiceSchedule[];
  /** The last logged events, newest first (the status page). */
  events?: EventEntry[];
  /** IPVS per-realserver counters (issue 16 §1); absent when not read. */
  counters?: CountersStatus;
}

/** Marks since the last delta: every service, some services whole, some servers' counters. */
/** Marks: everything, services whole, servers' counters, servers' states (with their pool's summary). */
export interface Changes { all: boolean; services: Set<string>; servers: Map<string, Set<string>>; states: Map<string, Set<string>> }

/** The per-server reading the delta needs, O(1) or O(one service) per call. */
export interface KeyedStatus {
  /** What changed since the last drain (status-delta.ts's ChangeTracker); service(null) marks everything. */
  changes: { drain(): Changes; service(name: string | null): void };
  /** VIPs, alerts and overrides: the coordinator's status without its pools. */
  summary(): Omit<CoordinatorStatus, 'pools'>;
  /** Service names in the coordinator's order. */
  services(): string[];
  /** One pool in full (overrides applied), or null when it is gone. */
  pool(service: string): PoolStatus | null;
  /**
   * A pool's summary and the named servers alone (gone ones left out), or null when that cannot be
   * read per server (the pool is gone, or overrides apply to it: they depend on the whole pool).
   */
  servers?(service: string, hosts: Iterable<string>): PoolStatus | null;
  /** A pool's server hosts in its list's order (cheap: no status built), or null when it is gone. */
  hosts?(service: string): string[] | null;
  /** One server's monitors (names, states, counters, reasons), or null when it is gone. */
  monitors(service: string, host: string): MonitorStatus[] | null;
  /** One server's check series for one monitor, or null (none yet). Absent without health checks. */
  series?(service: string, host: string, monitor: string): CheckSeries | null;
  histograms?(): CheckMetricsStatus['histograms'];
}

/** Everything the API reads; each call returns the state as it is now. */
export interface StatusSource {
  coordinator(): CoordinatorStatus;
  bgp(): BgpStatus;
  ipvs?(): IpvsStatus;
  checks?(): CheckMetricsStatus;
  reload?(): ReloadStatus;
  schedule?(): ServiceSchedule[];
  events?(): EventEntry[];
  /** Per-server access and change marks: the worker then gets deltas, not whole snapshots (issue 13). */
  keyed?: KeyedStatus;
  counters?(): CountersStatus | null;
  gc?(): GcTotals;
  /** Wall-clock ms of process start and the current time (injected for tests). */
  startedAt: number;
  now(): number;
  /** Operator actions the API may trigger (absent: read-only). */
  actions?: {
    confirmPoolRemoval(service: string): { ok: boolean; message: string };
    /** PUT/DELETE /overrides/… (issue 15): authenticated, validated and applied on the main thread. */
    override?(w: OverrideWrite): WriteAnswer | Promise<WriteAnswer>;
  };
}

/** A write to /overrides as the worker received it; `pool` null is /overrides/instance. */
export interface OverrideWrite {
  method: 'PUT' | 'DELETE';
  pool: string | null;
  host: string | null;
  /** The parsed JSON body (PUT), undefined for DELETE. */
  body: unknown;
  /** The Authorization header as sent, null when absent. */
  authorization: string | null;
  client: string;
}

/** The HTTP answer to a write: its status and a JSON body. */
export interface WriteAnswer {
  status: number;
  body: unknown;
}
