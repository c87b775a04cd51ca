/**
 * The typed configuration: the contract between config parsing and the rest of vipd.
 * Durations are in seconds as written in the file (convert with secondsToMillis).
 */
import type { ConfigIssue } from './issues.js';
import type { EtcdTlsConfig } from './etcd-keys.js';
import type { PoolGuardConfig } from './pool-guard-keys.js';
import type { BlackholeConfig } from './blackhole-keys.js';
import type { AdminConfig } from './admin-keys.js';
import type { FleetConfig } from './fleet-keys.js';
import type { TcpAuthConfig } from './tcp-auth-keys.js';

export type Protocol = 'tcp' | 'udp';
/** Every ipvsadm scheduler (Linux ip_vs_<name> modules); PyBal 1.15.9 knew the first ten. */
export const SCHEDULERS = ['rr', 'wrr', 'lc', 'wlc', 'lblc', 'lblcr', 'dh', 'sh', 'sed', 'nq', 'mh', 'fo', 'ovf', 'twos'] as const;
export type Scheduler = (typeof SCHEDULERS)[number];
/** ipvsadm -g (direct routing, PyBal's only mode), -i (tunnel), -m (masquerade). */
export type Forwarding = 'dr' | 'tun' | 'nat';
/**
 * When a VIP is withdrawn: `all-down` (no pooled server up; the default), `below-threshold`
 * (fewer up than depool-threshold allows), `never` (PyBal: announced while vipd runs).
 */
export type WithdrawPolicy = 'all-down' | 'below-threshold' | 'never';

/** A reference to the live server inside runcommand.arguments. */
export interface ServerRef { ref: 'host' | 'ip' | 'port' | 'weight' }
/** A parsed monitor option: Python literals mapped to plain values. */
export type OptionValue = string | number | boolean | null | ServerRef | OptionValue[] | { [k: string]: OptionValue };

export interface MonitorConfig {
  /** The catalogue's name (src/health/catalogue), however `monitors` spells it, e.g. 'ProxyFetch'. */
  name: string;
  /** Lower-case name, the option prefix: 'proxyfetch', 'idleconnection', 'runcommand', 'dnsquery', 'udp', 'tcp', 'tls'. */
  kind: string;
  /**
   * Options without the monitor prefix, as the catalogue normalises them; PyBal's options carry
   * their defaults, vipd's additions appear only when set, e.g. for proxyfetch
   * `{ url: string[], interval: 10, timeout: 5, http_status: ['200'], check_all: false, max_failures: 0 }`.
   * Lists given as a single string (url, hostnames) are normalised to string[]; rise/fall are below.
   */
  options: Record<string, OptionValue>;
  /** Consecutive good / bad results needed to change state; 1 = PyBal. */
  rise: number;
  fall: number;
}

export interface ServiceConfig extends PoolGuardConfig, EtcdTlsConfig, BlackholeConfig {
  /** The section name. */
  name: string;
  line: number;
  protocol: Protocol;
  /** The VIP, normalised text (ipaddr.js toString()). */
  ip: string;
  family: 4 | 6;
  port: number;
  scheduler: Scheduler;
  /** ipvsadm -b flags, canonical (as `ipvsadm -Sn` prints them: sh-port, mh-fallback, ...), sorted. */
  schedulerFlags: string[];
  /** One-packet scheduling (udp only). */
  ops: boolean;
  forwarding: Forwarding;
  /** ipvsadm -p seconds; null = no persistence. */
  persistence: number | null;
  /** The `config` URL: file://, http(s)://, etcd:// (v2, TLS), etcd3(s):// (v3). */
  pool: string;
  /** Poll interval for file/http pools, and HTTP timeout, seconds. */
  poolInterval: number;
  poolTimeout: number;
  /** Most servers a pool list may hold; a longer list is refused whole (the last good one stays). */
  poolMaxServers: number;
  depoolThreshold: number;
  /** Announce this VIP (only if global bgp is on). */
  bgp: boolean;
  /** Effective MED: the service's bgp-med, else the global one. */
  bgpMed: number;
  bgpWithdrawPolicy: WithdrawPolicy;
  /** MED while the service is up but below its depool threshold; null = keep bgpMed. */
  bgpDegradedMed: number | null;
  monitors: MonitorConfig[];
}

/** A standard community as its 32-bit value (RFC 1997). */
export type Community = number;

export interface BgpPeerConfig extends TcpAuthConfig {
  /** Normalised address text. */
  address: string;
  /** Line where the peer is named (bgp-peer-address or its own section). */
  line: number;
  /** Expected peer AS; null = accept any (PyBal). */
  peerAs: number | null;
  /** Seconds; 180 = PyBal. */
  holdTime: number;
  /** Seconds; default holdTime / 3. */
  keepalive: number;
  passive: boolean;
  /** null = the local IPv4 address of the session (PyBal). */
  routerId: string | null;
  localAddress: string | null;
  /** Inbound limit: prefixes counted from the peer per family; null = the speaker's default (10,000). */
  maxPrefixes: number | null;
  /** Past the inbound limit: discard the excess and alert (default), or Cease 6/1 (RFC 4486). */
  maxPrefixesAction: 'discard' | 'teardown';
  /** Outbound cap: VIPs announced to the peer at most; null = no cap. */
  maxAnnounce: number | null;
  communities: Community[];
  /** RFC 9687 send hold time, seconds; null = max(8 minutes, 2 × hold time). */
  sendHoldTime: number | null;
  /** Seconds to announce with GRACEFUL_SHUTDOWN (RFC 8326) before withdrawing at shutdown; 0 = off. */
  gracefulShutdownWait: number;
  /** RFC 4724 graceful restart: SIGTERM keeps the routes at the routers (stale) instead of withdrawing. */
  gracefulRestart: boolean;
  /** RFC 4724 §3 Restart Time, seconds (1-4095): how long the routers keep them. */
  gracefulRestartTime: number;
  /** BFD with this peer (RFC 5880/5881/5882): interval in ms (TX and RX), detect multiplier. */
  bfd: boolean;
  bfdInterval: number;
  bfdMultiplier: number;
}

/** pool-max-removal / pool-removal-hold here are the defaults of every service. */
export interface GlobalConfig extends PoolGuardConfig, EtcdTlsConfig, AdminConfig, FleetConfig, BlackholeConfig {
  /** Seconds between reads of the kernel's per-realserver counters (issue 16 §1); 0 = off. */
  ipvsStatsInterval: number;
  bgp: boolean;
  /** Required when bgp is on; null otherwise. */
  bgpLocalAsn: number | null;
  /** AS_PATH sent, default [bgpLocalAsn]. */
  bgpAsPath: number[];
  bgpMed: number;
  bgpNexthopIpv4: string | null;
  bgpNexthopIpv6: string | null;
  bgpPeers: BgpPeerConfig[];
  /** Listen addresses for incoming BGP; '' = all IPv4 (PyBal). */
  bgpLocalIps: string[];
  bgpLocalPort: number;
  instrumentation: boolean;
  instrumentationPort: number;
  instrumentationIps: string[];
  /** Seconds between reading the IPVS table back and repairing drift. */
  ipvsReconcileInterval: number;
  /** Default of each service's pool-max-servers. */
  poolMaxServers: number;
  /** vipd adds each VIP (/32 or /128) to `lo` itself and removes what it added on a full stop. */
  bindVips: boolean;
  /** `dry-run = yes`: the same as `vipd run -n` (IPVS is never changed). */
  dryRun: boolean;
  /** Addresses announced by BGP as long as vipd runs, whatever the services' health (PyBal 1.16+). */
  advertisedInstrumentationIps: string[];
  /** Seconds a VIP waits for its services' first health round before it is announced on what is known. */
  bgpFirstRoundWait: number;
}

export interface VipdConfig {
  file: string;
  global: GlobalConfig;
  services: ServiceConfig[];
}

export type ConfigResult =
  | { ok: true; config: VipdConfig; warnings: ConfigIssue[] }
  | { ok: false; errors: ConfigIssue[]; warnings: ConfigIssue[] };
