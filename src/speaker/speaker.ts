import { EventEmitter } from 'node:events';
import type { Socket } from 'node:net';
import ipaddr from 'ipaddr.js';
import type { Clock } from '../time/clock.js';
import type { Logger } from '../log/logger.js';
import { PeerSession, type ResolvedPeer } from './peer-session.js';
import { checkRoutes, type CheckedRoute, type Route } from './routes.js';
import type { PeerConfig, PeerStatus, SpeakerConfig, SpeakerEvent, SpeakerStatus } from './types.js';
import { checkPeer } from './check-config.js';
import { Listeners } from './listener.js';
import { needsSecureSocket, type SecureSocketPort } from './secure-socket.js';

/** RFC 8326 §5: the GRACEFUL_SHUTDOWN well-known community 65535:0. */
export const GRACEFUL_SHUTDOWN = 0xffff0000;

export interface StopOptions {
  /** RFC 9003 shutdown communication sent with Cease / Administrative Shutdown. */
  message?: string;
  /** RFC 8326: first re-announce everything with GRACEFUL_SHUTDOWN and wait this long. */
  gracefulShutdownMs?: number;
  /** A planned restart (RFC 4724): sessions with graceful restart close without withdrawing or Cease. */
  gracefulRestart?: boolean;
}

/** What vipd drives a speaker by: the Speaker itself, or the same speaker in a thread of its own (cli/run/bgp-thread.ts). */
export interface SpeakerControl {
  onEvent(fn: (e: SpeakerEvent) => void): () => void;
  start(): Promise<void>;
  routesComplete(): void;
  setAdvertised(routes: readonly Route[]): void;
  addPeer(cfg: PeerConfig): Promise<void>;
  removePeer(address: string, message?: string): Promise<void>;
  stop(opts?: StopOptions): Promise<void>;
  bfdDown(address: string, why: string): void;
  status(): SpeakerStatus;
  listening(): { address: string; port: number }[];
}

/**
 * The BGP speaker: owns one session per router and the listening sockets; the only BGP code that
 * touches sockets and the clock. Declarative: `setAdvertised(routes)`; each session sends its diff.
 * Events: `speaker.on('event', (e: SpeakerEvent) => ...)`.
 */
export class Speaker extends EventEmitter implements SpeakerControl {
  private readonly peers = new Map<string, PeerSession>();
  private readonly listenSockets: Listeners;
  private routes: CheckedRoute[] = [];
  private started = false;
  private routesKnown: boolean;
  private readonly routerId: string;

  /** `sockets`: the native addon's, needed only by peers with TCP-MD5 or GTSM. */
  constructor(private readonly config: SpeakerConfig, private readonly clock: Clock, private readonly log: Logger, private readonly sockets?: SecureSocketPort) {
    super();
    this.listenSockets = new Listeners(log, (sock) => this.accepted(sock), sockets);
    this.routerId = checkSpeaker(config, sockets !== undefined);
    this.routesKnown = !config.awaitRoutes;
    for (const p of config.peers) this.createPeer(p);
  }

  onEvent(fn: (e: SpeakerEvent) => void): () => void {
    this.on('event', fn);
    return () => this.off('event', fn);
  }

  /** Opens the listeners passive peers need, then starts every session. */
  async start(): Promise<void> {
    this.started = true;
    for (const p of this.peers.values()) await this.listenFor(p.cfg);
    for (const p of this.peers.values()) p.start();
  }

  /** With `awaitRoutes`: every route is now declared; each session sends its End-of-RIB (RFC 4724 §4.1). */
  routesComplete(): void {
    if (this.routesKnown) return;
    this.routesKnown = true;
    this.log.info('routes complete: End-of-RIB to every established peer');
    for (const p of this.peers.values()) p.routesComplete();
  }

  /** Declares the complete set of routes to announce; throws naming every bad route. */
  setAdvertised(routes: readonly Route[]): void {
    const c = checkRoutes(routes);
    if (c.errors.length) throw new Error(`setAdvertised: ${c.errors.join('; ')}`);
    this.routes = c.routes;
    for (const p of this.peers.values()) p.setRoutes(this.routes);
  }

  /** Adds a router without touching the other sessions (config reload). */
  async addPeer(cfg: PeerConfig): Promise<void> {
    const errors = [...checkPeer(cfg, `peer ${cfg.address}`), ...this.socketErrors(cfg, `peer ${cfg.address}`)];
    if (this.peers.has(cfg.address)) errors.push(`peer ${cfg.address} is already configured`);
    if (errors.length) throw new Error(errors.join('; '));
    const p = this.createPeer(cfg);
    if (this.started) { await this.listenFor(p.cfg); p.start(); }
  }

  /** Removes a router gracefully (withdraw, Cease 6/2 with the message, close). */
  async removePeer(address: string, message = 'peer deconfigured'): Promise<void> {
    const p = this.peers.get(address);
    if (!p) throw new Error(`removePeer: no peer ${address}`);
    this.peers.delete(address);
    this.listenSockets.removePeer(p.cfg);
    await p.stop(message);
  }

  /** Graceful shutdown of every session, bounded by closeTimeoutMs per socket; then closes listeners. */
  async stop(opts: StopOptions = {}): Promise<void> {
    if (opts.gracefulShutdownMs && this.routes.length && !opts.gracefulRestart) {
      const marked = this.routes.map((r) => ({ ...r, communities: [...(r.communities ?? []), GRACEFUL_SHUTDOWN] }));
      for (const p of this.peers.values()) p.setRoutes(marked);
      await new Promise<void>((resolve) => this.clock.setTimer(opts.gracefulShutdownMs as number, resolve));
    }
    await Promise.all([...this.peers.values()].map((p) => p.stop(opts.message, opts.gracefulRestart ?? false)));
    this.listenSockets.close();
    this.started = false;
  }

  /** BFD (RFC 5882 §4.3) declared the path to `address` down: end its session (Cease 10, RFC 9384). */
  bfdDown(address: string, why: string): void {
    this.peers.get(address)?.bfdDown(why);
  }

  status(): SpeakerStatus {
    const peers: PeerStatus[] = [...this.peers.values()].map((p) => p.status());
    return { localAs: this.config.localAs, routerId: this.routerId, advertised: this.routes.length, peers };
  }

  /** The address:port of each listener, e.g. to learn an ephemeral port. */
  listening(): { address: string; port: number }[] {
    return this.listenSockets.addresses();
  }

  private socketErrors(p: PeerConfig, where: string): string[] {
    return socketErrors(p, where, this.sockets !== undefined);
  }

  private createPeer(cfg: PeerConfig): PeerSession {
    const resolved: ResolvedPeer = {
      ...cfg, localAs: this.config.localAs, bgpId: this.routerId, closeTimeoutMs: this.config.closeTimeoutMs ?? 2000,
      ...(this.config.restarting ? { restarting: true } : {}), ...(this.sockets ? { sockets: this.sockets } : {}),
    };
    const p = new PeerSession(resolved, this.clock, this.log, (e) => this.emit('event', e));
    if (!this.routesKnown) p.awaitRoutes();
    p.setRoutes(this.routes);
    this.peers.set(cfg.address, p);
    return p;
  }

  private async listenFor(cfg: PeerConfig): Promise<void> {
    await this.listenSockets.open(cfg, [...this.peers.values()].map((p) => p.cfg));
  }

  private accepted(sock: Socket): void {
    let remote = sock.remoteAddress ?? '';
    if (remote.startsWith('::ffff:') && remote.includes('.')) remote = remote.slice(7);
    const p = [...this.peers.values()].find((x) => x.address === remote || sameAddress(x.address, remote));
    if (!p) {
      this.log.warn('connection from an unknown address refused', { remote });
      sock.destroy();
      return;
    }
    p.accept(sock);
  }
}

/** Validates a speaker's config; returns its router id, or throws naming every problem. */
export function checkSpeaker(config: SpeakerConfig, haveSockets: boolean): string {
  const errors = [
    ...(!Number.isInteger(config.localAs) || config.localAs < 1 || config.localAs > 0xffffffff ? [`local AS must be 1..4294967295, got ${config.localAs}`] : []),
    ...config.peers.flatMap((p, i) => checkPeer(p, `peer ${i + 1} (${p.address})`)),
    ...config.peers.flatMap((p, i) => socketErrors(p, `peer ${i + 1} (${p.address})`, haveSockets)),
  ];
  const v4Local = config.peers.map((p) => p.localAddress).find((a) => a !== undefined && ipaddr.IPv4.isValidFourPartDecimal(a));
  const routerId = config.routerId ?? v4Local;
  if (!routerId) errors.push('router id is required when no peer has an IPv4 local address (BGP identifier, RFC 6286)');
  else if (!ipaddr.IPv4.isValidFourPartDecimal(routerId) || routerId === '0.0.0.0') errors.push(`router id '${routerId}' is not a non-zero dotted quad`);
  if (errors.length) throw new Error(`speaker config: ${errors.join('; ')}`);
  return routerId as string;
}

function socketErrors(p: PeerConfig, where: string, haveSockets: boolean): string[] {
  return needsSecureSocket(p) && !haveSockets ? [`${where}: TCP-MD5 / TTL security need vipd's native addon, which is not loaded`] : [];
}

function sameAddress(a: string, b: string): boolean {
  try { return ipaddr.process(a).toString() === ipaddr.process(b).toString(); } catch { return false; }
}
