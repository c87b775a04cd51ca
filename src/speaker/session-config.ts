import type { SessionConfig } from '../fsm/types.js';
import type { NotificationRecord, PeerConfig } from './types.js';
import type { CheckedRoute, FamilyName } from './routes.js';
import type { SecureSocketPort } from './secure-socket.js';

/** `restarting`: the speaker restarted with graceful restart (RFC 4724 §3 R bit in the first OPENs). */
export interface ResolvedPeer extends PeerConfig {
  localAs: number; bgpId: string; closeTimeoutMs: number; restarting?: boolean;
  /** The native addon's sockets, for TCP-MD5 / GTSM peers. */
  sockets?: SecureSocketPort;
}

export function msgOf(r: NotificationRecord): { message?: string } {
  return r.message !== undefined ? { message: r.message } : {};
}

export function defaultNextHop(local: string | undefined): { ipv4?: string; ipv6?: string } {
  if (!local) return {};
  if (local.startsWith('::ffff:') && local.includes('.')) return { ipv4: local.slice(7) };
  return local.includes(':') ? { ipv6: local } : { ipv4: local };
}

/** The FSM's view of a peer; offered families follow the declared routes unless configured. */
export function sessionConfig(p: ResolvedPeer, routes: readonly CheckedRoute[]): SessionConfig {
  const fams = new Set<FamilyName>(p.families ?? ['ipv4', ...routes.map((r) => r.family)]);
  const c: SessionConfig = {
    localAs: p.localAs, bgpId: p.bgpId, holdTime: p.holdTime ?? 90, mode: p.mode ?? 'active',
    families: [...fams].sort().map((f) => ({ afi: f === 'ipv4' ? 1 : 2, safi: 1 })),
    connectRetryMs: p.connectRetryMs ?? 5000, idleHoldMs: p.idleHoldMs ?? 1000,
    idleHoldMaxMs: p.idleHoldMaxMs ?? 60_000, stableMs: p.stableMs ?? 60_000,
  };
  if (p.peerAs !== undefined) c.peerAs = p.peerAs;
  if (p.keepalive !== undefined) c.keepalive = p.keepalive;
  if (p.gracefulRestartTime !== undefined) c.gracefulRestartTime = p.gracefulRestartTime;
  if (p.delayOpenMs) c.delayOpenMs = p.delayOpenMs;
  if (p.sendHoldMs !== undefined) c.sendHoldMs = p.sendHoldMs;
  return c;
}
