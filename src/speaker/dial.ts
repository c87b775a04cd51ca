import { connect, type Socket } from 'node:net';
import { needsSecureSocket, secureDial, type SecureSocketPort } from './secure-socket.js';
import type { PeerConfig } from './types.js';

export interface DialTarget {
  host: string;
  port: number;
  localAddress?: string | undefined;
  md5Key?: PeerConfig['md5Key'];
  ttlSecurity?: boolean | undefined;
  /** Needed (and used) only with TCP-MD5 or GTSM. */
  sockets?: SecureSocketPort | undefined;
}

/**
 * Opens a TCP connection from `localAddress`; exactly one of the callbacks runs, unless the
 * returned cancel function is called first (then neither does and the socket is destroyed).
 * With TCP-MD5 or GTSM the socket is made by the native addon; otherwise by net.connect.
 */
export function dial(to: DialTarget, connected: (s: Socket) => void, failed: (reason: string) => void): () => void {
  if (needsSecureSocket(to)) {
    if (to.sockets) return secureDial(to.sockets, to, connected, failed);
    let waiting = true;
    queueMicrotask(() => { if (waiting) failed('TCP-MD5 / TTL security need the native addon, which is not loaded'); });
    return () => { waiting = false; };
  }
  const sock = connect({ host: to.host, port: to.port, ...(to.localAddress ? { localAddress: to.localAddress } : {}) });
  let live = true;
  sock.once('connect', () => {
    if (!live) return;
    live = false;
    sock.removeAllListeners('error');
    connected(sock);
  });
  sock.on('error', (err) => {
    if (!live) return;
    live = false;
    sock.destroy();
    failed(err.message);
  });
  return () => {
    if (!live) return;
    live = false;
    sock.destroy();
  };
}
