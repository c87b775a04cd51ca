/**
 * The coordinator's own model and the small ports it needs from the rest of vipd. The real
 * health runner, IPVS reconciler, speaker and pool sources satisfy these through thin adapters
 * built in src/cli; the coordinator knows nothing else about them.
 */

/** One entry of a pool list, as every pool source yields it. */
export interface PoolServer {
  host: string;
  weight: number;
  enabled: boolean;
  port?: number;
}

/** The latest result of one monitor for one server; `up: null` before its first result. */
export interface MonitorState {
  up: boolean | null;
  reason: string;
  /** Wall-clock ms of the last transition, null before the first result. */
  since: number | null;
  /** Duration of the check that caused the last transition, in ms. */
  durationMs: number | null;
  upTransitions: number;
  downTransitions: number;
  /** Every check result, not only transitions (PyBal's *_results_total). */
  upResults: number;
  downResults: number;
}

/** PyBal's server state model (PYBAL.md §4.1) plus what vipd adds (address, monitors). */
export interface ServerState {
  host: string;
  weight: number;
  enabled: boolean;
  port?: number;
  /** The hostname resolved to an address of the service's family. */
  ready: boolean;
  /** A resolution is in flight for a server that is not ready yet. */
  resolving: boolean;
  ip: string | null;
  /** All monitors up (PyBal's calcStatus); optimistic true when the server becomes ready. */
  up: boolean;
  /** Should be in IPVS. */
  pooled: boolean;
  /** One state per monitor, in the order of the service's `monitors` (names live there, once). */
  monitors: MonitorState[];
  /** The last IPVS entry built for this server, reused while ip/port/weight are unchanged (effective.ts). */
  entry: DesiredRealServer | null;
  /** Position in the pool's order (increasing with insertion). */
  seq: number;
  /** Issue 16 §2 (blackhole-action = depool): the black-hole evidence that keeps it down, like a failed monitor. */
  blackhole?: string;
}

export type WithdrawPolicy = 'all-down' | 'below-threshold' | 'never';

/** What the coordinator needs to know about one LVS service. */
export interface ServiceSpec {
  name: string;
  /** The VIP, an IPv4 or IPv6 address without prefix length. */
  ip: string;
  port: number;
  protocol: 'tcp' | 'udp';
  depoolThreshold: number;
  /** Monitor names as configured (`ProxyFetch`, ...); a server is up when all are. */
  monitors: string[];
  /** Announce this service's VIP over BGP. */
  bgp: boolean;
  /** Per-service overrides of the global BGP settings. */
  med?: number;
  degradedMed?: number;
  withdrawPolicy?: WithdrawPolicy;
  /** Removal hold (pool-guard.ts): share of enabled servers one update may remove (default 0.5), and the hold (default 60 s). */
  poolMaxRemoval?: number;
  poolRemovalHoldMs?: number;
}

/** Global BGP route settings; per-VIP values come from the services. */
export interface RouteSpec {
  nextHopV4?: string;
  nextHopV6?: string;
  med: number;
  degradedMed?: number;
  withdrawPolicy: WithdrawPolicy;
  /** RFC 1997 communities, each (asn << 16) | value. */
  communities: number[];
  largeCommunities: [number, number, number][];
  asPathPrepend: number;
  /** bgp-first-round-wait: a VIP waits at most this long for its services' first health round; absent = no bound. */
  firstRoundWaitMs?: number;
}

/** One announced VIP; the same list goes to every peer. */
export interface Route {
  prefix: string;
  nextHop: string;
  med: number;
  communities: number[];
  largeCommunities: [number, number, number][];
  asPathPrepend: number;
}

/** A realserver the coordinator wants in IPVS. */
export interface DesiredRealServer {
  host: string;
  ip: string;
  port: number;
  weight: number;
}

/** The desired realservers of one service, by service name; the adapter knows the rest. */
export interface DesiredService {
  service: string;
  realServers: DesiredRealServer[];
}

/** A server to check: the adapter builds monitors from the service's config. */
export interface HealthTarget {
  service: string;
  host: string;
  ip: string;
  port: number;
}

/** What the coordinator needs from the health runner. Results come back via `Coordinator.monitorResult`. */
export interface HealthPort {
  start(target: HealthTarget): void;
  stop(service: string, host: string): void;
}

/**
 * One batch for IPVS: only the services that changed (issue 13 §1). `services`: the complete
 * desired realservers of each changed service (arrays never mutated after); `removed`: services
 * that left the configuration. Applied in that order: removals first.
 */
export interface IpvsChanges {
  services: DesiredService[];
  removed: string[];
}

/** What the coordinator needs from the IPVS reconciler: make the kernel match these changes (monitor results of one tick come as one batch). */
export interface IpvsPort {
  applyChanges(changes: IpvsChanges): void;
}

/** What the coordinator needs from the BGP speaker. */
export interface SpeakerPort {
  setAdvertised(routes: Route[]): void;
  /** Once at start: every VIP is decided (first round done or its wait over); End-of-RIB may go (RFC 4724 §4.1). */
  routesComplete?(): void;
}

/** Hostname → addresses of one family; rejects or returns [] when there are none. */
export type Resolver = (host: string, family: 4 | 6) => Promise<string[]>;
