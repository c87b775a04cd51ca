import type { Socket } from 'node:net';
import { getSystemErrorName } from 'node:util';
import { nativeAddon } from './native-addon.js';

export interface KeepaliveSettings {
  idleMs: number;
  intervalS: number;
  count: number;
}

/**
 * TCP keepalive with all three timers when the native addon is there; Node itself can set only
 * the idle time. Returns '' or why the interval and count stay the kernel's defaults.
 */
export function setTcpKeepalive(sock: Socket, k: KeepaliveSettings): string {
  sock.setKeepAlive(true, k.idleMs);
  const addon = nativeAddon();
  if (!addon) return 'the native addon is not available';
  // net.Socket has no public file descriptor; its libuv handle exposes it on Unix.
  const fd = (sock as unknown as { _handle?: { fd?: unknown } })._handle?.fd;
  if (typeof fd !== 'number' || fd < 0) return 'the socket has no file descriptor';
  const rc = addon.setKeepalive(fd, Math.max(1, Math.round(k.idleMs / 1000)), k.intervalS, k.count);
  return rc === 0 ? '' : `setsockopt: ${getSystemErrorName(rc)}`;
}
