import { connect, type Socket } from 'node:net';

/**
 * Opens a TCP connection from `localAddress`; exactly one of the callbacks runs, unless the
 * returned cancel function is called first (then neither does and the socket is destroyed).
 */
export function dial(
  to: { host: string; port: number; localAddress?: string | undefined },
  connected: (s: Socket) => void,
  failed: (reason: string) => void,
): () => void {
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
