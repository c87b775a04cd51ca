import { createServer, type Server, type Socket } from 'node:net';
import type { Logger } from '../log/logger.js';
import { needsSecureSocket, secureListenFd, setListenKey, type SecureSocketPort } from './secure-socket.js';
import type { PeerConfig } from './types.js';

interface Listener { server: Server; host: string; port: number; fd: number | null; ttlSecurity: boolean }

/**
 * The listening sockets of passive peers, one per local address and port. Without TCP-MD5/GTSM a
 * plain net server; with them a socket from the native addon carrying each peer's key (RFC 2385
 * needs the key on the listener: the SYN is signed) and the GTSM options, served by Node.
 */
export class Listeners {
  private readonly byKey = new Map<string, Listener>();

  constructor(private readonly log: Logger, private readonly accepted: (s: Socket) => void, private readonly sockets?: SecureSocketPort) {}

  /**
   * Listens for `cfg` (passive or both). `all` are every configured peer: a new listener gets the
   * keys of all peers on its address; a plain listener is reopened with the addon's socket when a
   * peer with TCP-MD5/GTSM joins it (established sessions keep their sockets).
   */
  async open(cfg: PeerConfig, all: readonly PeerConfig[]): Promise<void> {
    if ((cfg.mode ?? 'active') === 'active') return;
    const host = cfg.localAddress as string;
    const port = cfg.port ?? 179;
    const key = `${host}|${port}`;
    const mates = all.filter((p) => (p.mode ?? 'active') !== 'active' && p.localAddress === host && (p.port ?? 179) === port);
    if (!mates.includes(cfg)) mates.push(cfg);
    const where = `[${host}]:${port}`;
    // GTSM is a property of the listening socket (IP_MINTTL): every peer on it has it or none does
    const ttl = mates.filter((p) => p.ttlSecurity).map((p) => p.address);
    if (ttl.length && ttl.length < mates.length) {
      throw new Error(`peer ${cfg.address}: bgp-ttl-security must be the same for every peer listened for on ${where} (on for ${ttl.join(', ')} only)`);
    }
    const secure = mates.some(needsSecureSocket);
    const existing = this.byKey.get(key);
    if (existing && (existing.fd !== null) === secure && existing.ttlSecurity === ttl.length > 0) {
      const err = existing.fd !== null ? setListenKey(this.sockets as SecureSocketPort, existing.fd, cfg) : null;
      if (err) throw new Error(`peer ${cfg.address}: ${err}`);
      return;
    }
    // close() closes the fd at once, so the new socket can bind the same address and port
    if (existing) { existing.server.close(); this.byKey.delete(key); }
    if (secure && !this.sockets) throw new Error(`cannot listen on ${where}: TCP-MD5 / TTL security need the native addon`);
    const fd = secure ? secureListenFd(this.sockets as SecureSocketPort, host, port, mates) : null;
    const server = createServer((sock) => this.accepted(sock));
    this.byKey.set(key, { server, host, port, fd, ttlSecurity: ttl.length > 0 });
    await new Promise<void>((resolve, reject) => {
      server.once('error', (err) => reject(new Error(`cannot listen on ${where}: ${err.message}`)));
      server.listen(fd !== null ? { fd } : { host, port }, () => resolve());
    });
    server.on('error', (err) => this.log.error('listener error', { address: host, port, error: err.message }));
  }

  /** A removed peer's key leaves the listener. */
  removePeer(cfg: PeerConfig): void {
    const l = this.byKey.get(`${cfg.localAddress}|${cfg.port ?? 179}`);
    if (l?.fd != null && cfg.md5Key) {
      const err = setListenKey(this.sockets as SecureSocketPort, l.fd, cfg, true);
      if (err) this.log.warn('cannot remove the TCP-MD5 key from the listener', { error: err });
    }
  }

  close(): void {
    for (const l of this.byKey.values()) l.server.close();
    this.byKey.clear();
  }

  addresses(): { address: string; port: number }[] {
    return [...this.byKey.values()].flatMap(({ server }) => {
      const a = server.address();
      return a && typeof a === 'object' ? [{ address: a.address, port: a.port }] : [];
    });
  }
}
