/** What the lab harness exposes about a running router; the same for FRR, BIRD and GoBGP. */

export type RouterKind = 'frr' | 'bird' | 'gobgp';

export interface RouterOptions {
  kind: RouterKind;
  /** The router's own address (it binds only this one). */
  routerIp: string;
  /** The speaker's address: the router's only neighbor. */
  speakerIp: string;
  routerAs?: number; // default 64601
  speakerAs?: number; // default 64600
  /** Router id; defaults to routerIp (set it when the session runs over IPv6). */
  routerId?: string;
  /** Also negotiate IPv6 unicast on the session. */
  v6?: boolean;
  /** Run inside this network namespace (made by createNetns or by the test). */
  netns?: string;
  holdTime?: number; // default 30
  /** Port the router listens on; default 179. */
  port?: number;
  /** Port the router connects to on the speaker; default = port. */
  peerPort?: number;
  /** Never connect out, only accept. */
  passive?: boolean;
  /** Prefix limit with teardown; default 10. */
  maxPrefixes?: number;
  /** FRR's route-map delay timer; 0 (default) stops the spontaneous ROUTE-REFRESH 5 s after start. */
  frrRouteMapDelay?: number;
  /** BIRD only: export this many IPv4 /24s (11.0.0.0/24 upwards, `floodPrefix(i)`) to the speaker, a leaked table; default 0. */
  exportPrefixes?: number;
  /** TCP-MD5 password (RFC 2385) for the session with the speaker; '' (default) = none. */
  md5Password?: string;
  /** GTSM (RFC 5082): send with TTL 255, accept only TTL 255 - 1 hop and up; default off. */
  ttlSecurity?: boolean;
  /**
   * Graceful restart helper (RFC 4724 receiving speaker) with RFC 8538's N bit where the router has
   * it: FRR and GoBGP; BIRD 2.0 has no N bit. Default false: each router's own default (FRR and BIRD
   * are helpers by default, GoBGP is not).
   */
  gracefulRestart?: boolean;
  /** BFD with the speaker (FRR: zebra + bfdd + bgpd `neighbor bfd`; BIRD: `protocol bfd`, `bfd on`); netns only. */
  bfd?: BfdOptions | null;
  /** The whole config file (bgpd.conf / bird.conf) instead of the generated one, given the router's dir (issue 17 §4). */
  config?: ((dir: string) => string) | null;
}

/**
 * RFC 5880 timers: desired min TX = required min RX = intervalMs; detect multiplier. `graceful`
 * (BIRD only, its `bfd graceful`): BFD down starts a graceful restart instead of a session reset;
 * default: on when the router is a graceful restart helper (docs/bfd.md "BFD with graceful restart").
 */
export interface BfdOptions { intervalMs: number; multiplier: number; graceful?: boolean }

/** The i-th prefix a flooding router exports: /24s from 11.0.0.0 upwards (outside every lab and VIP range). */
export function floodPrefix(i: number): string {
  return `${11 + Math.floor(i / 65536)}.${(i >> 8) & 255}.${i & 255}.0/24`;
}

export type ResolvedOptions = Required<Omit<RouterOptions, 'netns' | 'bfd' | 'config'>>
  & { netns: string | undefined; bfd: BfdOptions | null; config: ((dir: string) => string) | null; dir: string };

export interface RibRoute {
  prefix: string;
  med: number | null;
  nextHop: string;
  asPath: number[];
  best: boolean;
}

export interface Router {
  kind: RouterKind;
  ip: string;
  dir: string;
  options: ResolvedOptions;
  stop(): Promise<void>;
  /** Session with the speaker is Established; rejects after timeoutMs. */
  waitEstablished(timeoutMs: number): Promise<void>;
  established(): Promise<boolean>;
  /** Routes learned from the speaker (IPv4 and, with v6, IPv6), after import policy. */
  rib(): Promise<RibRoute[]>;
  waitRib(pred: (routes: RibRoute[]) => boolean, timeoutMs: number): Promise<RibRoute[]>;
  /** Ask the router to send ROUTE-REFRESH (inbound soft reset); GoBGP re-applies policy without sending one. */
  routeRefresh(): Promise<void>;
  /** Stop and start again with the same config and dir. */
  restart(): Promise<void>;
  /** Re-enable a session torn down by the prefix limit. */
  clearSession(): Promise<void>;
  /** The router's log so far. */
  log(): string;
}

export function resolveOptions(o: RouterOptions, dir: string): ResolvedOptions {
  const port = o.port ?? 179;
  return {
    kind: o.kind, routerIp: o.routerIp, speakerIp: o.speakerIp,
    routerAs: o.routerAs ?? 64601, speakerAs: o.speakerAs ?? 64600,
    routerId: o.routerId ?? (o.routerIp.includes(':') ? '10.255.255.254' : o.routerIp),
    v6: o.v6 ?? false, netns: o.netns, holdTime: o.holdTime ?? 30, port, peerPort: o.peerPort ?? port,
    passive: o.passive ?? false, maxPrefixes: o.maxPrefixes ?? 10, frrRouteMapDelay: o.frrRouteMapDelay ?? 0, exportPrefixes: o.exportPrefixes ?? 0,
    md5Password: o.md5Password ?? '', ttlSecurity: o.ttlSecurity ?? false,
    gracefulRestart: o.gracefulRestart ?? false, bfd: o.bfd ?? null, config: o.config ?? null, dir,
  };
}

/** The import policy of ROUTERS.md, shared by the three configs. */
export const POLICY = {
  v4: [{ prefix: '10.0.0.0/8', len: 32 }, { prefix: '208.80.152.0/22', len: 32 }],
  v6: [{ prefix: '2620:0:860::/46', len: 128 }],
  medAdd: 10,
} as const;
