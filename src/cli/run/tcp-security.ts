import { nativeAddon, nativeAddonUnavailable } from '../../health/monitors/native-addon.js';
import type { SecureSocketPort } from '../../speaker/index.js';

/**
 * The native addon's TCP-MD5 / GTSM sockets (native/tcp-md5.c) for the Speaker, or undefined when
 * the addon is not built, does not load, or predates them; peers with bgp-md5-password* or
 * bgp-ttl-security then fail with `secureSocketsUnavailable()` in the error.
 */
export function secureSockets(): SecureSocketPort | undefined {
  const a = nativeAddon() as (Partial<SecureSocketPort> & object) | null;
  if (!a || typeof a.tcpSocket !== 'function' || typeof a.tcpMd5Key !== 'function'
    || typeof a.tcpConnect !== 'function' || typeof a.tcpRelease !== 'function') return undefined;
  return a as SecureSocketPort;
}

/** Why secureSockets() is undefined. */
export function secureSocketsUnavailable(): string {
  return nativeAddonUnavailable() || 'the native addon was built before TCP-MD5 support (npm run build:native)';
}
