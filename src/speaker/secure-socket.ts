import { Socket } from 'node:net';
import { getSystemErrorName } from 'node:util';
import ipaddr from 'ipaddr.js';
import type { Clock } from '../time/clock.js';
import type { PeerConfig } from './types.js';

/**
 * Sockets Node's net module cannot make: TCP-MD5 (RFC 2385) must be set before the SYN, GTSM
 * (RFC 5082) before the first segment. The native addon (native/tcp-md5.c) implements this port;
 * the composition root hands it to the Speaker. Negative results are -errno.
 */
export interface SecureSocketPort {
  /** A non-blocking TCP socket, bound when an address or port is given; GTSM options when asked. */
  tcpSocket(family: 4 | 6, localAddress: string, localPort: number, ttlSecurity: boolean): number;
  /** Sets (empty key: removes) the TCP-MD5 key for segments to and from `peer`. */
  tcpMd5Key(fd: number, peer: string, key: Buffer): number;
  /** Starts a non-blocking connect; `done(0 | -errno)` runs once, when it completes. */
  tcpConnect(fd: number, address: string, port: number, done: (err: number) => void): number;
  /** Stops a pending connect and closes the fd. */
  tcpRelease(fd: number): number;
}

/** True when the peer's sockets need the port (TCP-MD5 or GTSM configured). */
export function needsSecureSocket(p: Pick<PeerConfig, 'md5Key' | 'ttlSecurity'>): boolean {
  return p.md5Key !== undefined || p.ttlSecurity === true;
}

/**
 * What to tell the operator when the peer does not answer: with TCP-MD5 or GTSM a mismatch makes
 * the kernel drop segments silently (RFC 2385 §2.0, RFC 5082 §3), so nothing else would say why.
 * `connect`: our connect went unanswered; `open`: connected, but no OPEN came back (the peer's
 * segments fell below our minimum TTL); `accept`: a passive peer did not connect within the connect
 * retry time (its SYNs, unsigned or wrongly signed, or below our minimum TTL, never reach us). Null
 * when neither applies.
 */
export function noAnswerHint(p: Pick<PeerConfig, 'md5Key' | 'ttlSecurity'>, phase: 'connect' | 'open' | 'accept'): string | null {
  const parts: string[] = [];
  if (p.md5Key && phase !== 'open') parts.push('check the MD5 password on both sides');
  if (p.ttlSecurity) parts.push('check that TTL security (GTSM) is on on both sides and the peer is directly connected');
  return parts.length ? `${phase === 'accept' ? 'no connection from the peer' : 'no answer from the peer'}; ${parts.join('; ')}` : null;
}

/** A passive peer with TCP-MD5/GTSM: `noConnection` once `waiting` has stayed true for `ms` (RFC 2385 §2.0: nothing else tells). */
export class InboundWatch {
  private cancel: (() => void) | null = null;

  constructor(private readonly clock: Clock, private readonly ms: number, private readonly noConnection: () => void) {}

  waiting(on: boolean): void {
    if (on && this.cancel) return;
    this.cancel?.();
    this.cancel = on ? this.clock.setTimer(this.ms, () => { this.cancel = null; this.noConnection(); }) : null;
  }
}

export function errnoText(rc: number, what: string): string {
  let name: string;
  try { name = getSystemErrorName(rc); } catch { name = `errno ${-rc}`; }
  return `${what} ${name}`;
}

const familyOf = (address: string): 4 | 6 => (ipaddr.IPv4.isValidFourPartDecimal(address) ? 4 : 6);

/** Secret bytes as the Buffer the addon takes (a copy; zeroed by the caller after use). */
function keyOf(p: Pick<PeerConfig, 'md5Key'>): Buffer | null {
  return p.md5Key ? Buffer.from(p.md5Key.bytes()) : null;
}

/** `dial` for peers with TCP-MD5 or GTSM: same contract (one callback, or none after cancel). */
export function secureDial(
  sockets: SecureSocketPort,
  to: { host: string; port: number; localAddress?: string | undefined; md5Key?: PeerConfig['md5Key']; ttlSecurity?: boolean | undefined },
  connected: (s: Socket) => void,
  failed: (reason: string) => void,
): () => void {
  let live = true;
  let fd = -1;
  const fail = (reason: string): void => {
    if (fd >= 0) sockets.tcpRelease(fd);
    fd = -1;
    // asynchronous, as net.connect's errors are
    queueMicrotask(() => { if (live) { live = false; failed(reason); } });
  };
  const target = `${to.host}:${to.port}`;
  fd = sockets.tcpSocket(familyOf(to.host), to.localAddress ?? '', 0, to.ttlSecurity === true);
  if (fd < 0) { const rc = fd; fd = -1; fail(errnoText(rc, 'socket')); return () => { live = false; }; }
  const key = keyOf(to);
  if (key) {
    const rc = sockets.tcpMd5Key(fd, to.host, key);
    key.fill(0);
    if (rc < 0) { fail(errnoText(rc, 'TCP-MD5 key:')); return () => { live = false; }; }
  }
  const rc = sockets.tcpConnect(fd, to.host, to.port, (err) => {
    if (!live) return;
    if (err < 0) { fail(errnoText(err, `connect ${target}:`)); return; }
    live = false;
    const sock = new Socket({ fd, readable: true, writable: true });
    fd = -1;
    connected(sock);
  });
  if (rc < 0) fail(errnoText(rc, `connect ${target}:`));
  return () => {
    if (!live) return;
    live = false;
    if (fd >= 0) sockets.tcpRelease(fd);
    fd = -1;
  };
}

/**
 * A bound (not yet listening) socket for a Node server (`server.listen({ fd })`), with the TCP-MD5
 * key of every peer that has one and GTSM when any peer on it asks (the accepted sockets inherit
 * both). Throws naming the address on failure.
 */
export function secureListenFd(sockets: SecureSocketPort, host: string, port: number, peers: readonly PeerConfig[]): number {
  const fd = sockets.tcpSocket(familyOf(host), host, port, peers.some((p) => p.ttlSecurity));
  if (fd < 0) throw new Error(errnoText(fd, `cannot listen on [${host}]:${port}:`));
  for (const p of peers) {
    const rc = setListenKey(sockets, fd, p);
    if (rc !== null) { sockets.tcpRelease(fd); throw new Error(`cannot listen on [${host}]:${port}: ${rc}`); }
  }
  return fd;
}

/** Adds (or, with `remove`, removes) a peer's TCP-MD5 key on a listening fd; null or the error. */
export function setListenKey(sockets: SecureSocketPort, fd: number, p: PeerConfig, remove = false): string | null {
  const key = remove ? Buffer.alloc(0) : keyOf(p);
  if (!key) return null;
  const rc = sockets.tcpMd5Key(fd, p.address, key);
  key.fill(0);
  return rc < 0 ? errnoText(rc, `TCP-MD5 key for ${p.address}:`) : null;
}
