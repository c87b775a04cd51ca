import type { NotificationMessage } from '../bgp/types.js';
import type { Effect, FsmEvent, Session, SessionConfig, TimerName, TransitionResult } from './types.js';
import { buildOpen, negotiate } from './negotiation.js';

/** RFC 4271 §8.2.2 suggests 4 minutes as the "large value" for the hold timer in OpenSent: the ceiling. */
export const OPEN_HOLD_MS = 240_000;
/** Our bound before the peer's OPEN (and, with hold time 0, before its KEEPALIVE): a silent peer costs at most this. */
export const OPEN_HOLD_DEFAULT_MS = 90_000;

/** The OpenSent/OpenConfirm bound: the configured hold time, at most 90 s; 90 s when it is 0 (no hold timer later). */
export function openHoldMs(c: SessionConfig): number {
  const configured = c.holdTime > 0 ? c.holdTime * 1000 : OPEN_HOLD_DEFAULT_MS;
  return Math.min(configured, OPEN_HOLD_DEFAULT_MS, OPEN_HOLD_MS);
}

/** `restarting`: this process restarted with graceful restart (RFC 4724 §3 R bit in the first OPENs). */
export function initialSession(config: SessionConfig, restarting = false): Session {
  return {
    state: 'Idle', config, connectRetryCounter: 0, idleHoldMs: config.idleHoldMs, delayOpenRunning: false,
    suppressedCapabilities: [], bareOpen: false, stopped: true, connection: null, sendBlocked: false, restarting,
  };
}

/** The timers that belong to one connection: all stop when it goes. */
export const SESSION_TIMERS: readonly TimerName[] = ['connectRetry', 'hold', 'keepalive', 'delayOpen', 'dampingReset', 'sendHold'];
export const KEEPALIVE = { type: 'KEEPALIVE' } as const;

export const stay = (s: Session, effects: Effect[] = []): TransitionResult => ({ session: s, effects });

export interface IdleOptions { sent?: NotificationMessage; received?: NotificationMessage; manual?: boolean; noBackoff?: boolean }

/** Any fall back to Idle: notify, drop the connection, and (unless stopped by hand) schedule the restart. */
export function toIdle(s: Session, reason: string, o: IdleOptions = {}): TransitionResult {
  const effects: Effect[] = [];
  if (o.sent) effects.push({ type: 'send', message: o.sent });
  for (const timer of SESSION_TIMERS) effects.push({ type: 'stopTimer', timer });
  effects.push({ type: 'close' });
  const down: Effect = { type: 'down', reason };
  if (o.sent) down.sent = o.sent;
  if (o.received) down.received = o.received;
  effects.push(down);
  const base: Session = { ...s, state: 'Idle', delayOpenRunning: false, negotiated: undefined, connection: null, sendBlocked: false };
  if (o.manual) {
    effects.push({ type: 'stopTimer', timer: 'idleHold' });
    return { session: { ...base, stopped: true, connectRetryCounter: 0, idleHoldMs: s.config.idleHoldMs }, effects };
  }
  // RFC 4271 §8.1.1 DampPeerOscillations: each fall to Idle waits longer before the automatic restart
  effects.push({ type: 'startTimer', timer: 'idleHold', ms: s.idleHoldMs });
  const next = o.noBackoff ? s.idleHoldMs : Math.min(s.idleHoldMs * 2, s.config.idleHoldMaxMs);
  return { session: { ...base, connectRetryCounter: s.connectRetryCounter + 1, idleHoldMs: next }, effects };
}

export function start(s: Session): TransitionResult {
  const session: Session = { ...s, stopped: false };
  if (s.config.mode === 'passive') return { session: { ...session, state: 'Active' }, effects: [] };
  return {
    session: { ...session, state: 'Connect' },
    effects: [{ type: 'startTimer', timer: 'connectRetry', ms: s.config.connectRetryMs }, { type: 'connect' }],
  };
}

export function sendOpen(s: Session): TransitionResult {
  return {
    session: { ...s, state: 'OpenSent', delayOpenRunning: false },
    effects: [
      { type: 'stopTimer', timer: 'connectRetry' },
      { type: 'stopTimer', timer: 'delayOpen' },
      { type: 'send', message: buildOpen(s) },
      // RFC 4271 §8.2.2: the hold timer in OpenSent, bounded by the configured hold time (not 4 minutes)
      { type: 'startTimer', timer: 'hold', ms: openHoldMs(s.config) },
    ],
  };
}

/** The peer's OPEN arrived (OpenSent, or Connect/Active with DelayOpen running, or on a collision's connection). */
export function openReceived(s: Session, ev: Extract<FsmEvent, { type: 'Open' | 'CollisionOpen' }>, alsoSendOpen: boolean): TransitionResult {
  const r = negotiate(s, ev.open);
  if (!r.ok) return toIdle(s, r.reason, { sent: r.error });
  const n = r.value;
  const effects: Effect[] = [
    { type: 'stopTimer', timer: 'connectRetry' },
    { type: 'stopTimer', timer: 'delayOpen' },
  ];
  if (alsoSendOpen) effects.push({ type: 'send', message: buildOpen(s) });
  effects.push({ type: 'send', message: KEEPALIVE });
  if (n.holdTime > 0) {
    effects.push({ type: 'startTimer', timer: 'keepalive', ms: n.keepalive * 1000 });
    effects.push({ type: 'startTimer', timer: 'hold', ms: n.holdTime * 1000 });
  } else {
    // Hold time 0 means no hold timer once Established; OpenConfirm still waits for the KEEPALIVE only so long
    effects.push({ type: 'startTimer', timer: 'hold', ms: openHoldMs(s.config) });
  }
  return { session: { ...s, state: 'OpenConfirm', negotiated: n, delayOpenRunning: false }, effects };
}

export function restartHold(s: Session): Effect[] {
  const hold = s.negotiated?.holdTime ?? 0;
  if (hold > 0) return [{ type: 'startTimer', timer: 'hold', ms: hold * 1000 }];
  // Negotiated 0: the OpenConfirm bound must not outlive OpenConfirm
  return s.state === 'OpenConfirm' ? [{ type: 'stopTimer', timer: 'hold' }] : [];
}

export function keepaliveTick(s: Session): TransitionResult {
  const ka = s.negotiated?.keepalive ?? 0;
  const effects: Effect[] = [{ type: 'send', message: KEEPALIVE }];
  if (ka > 0) effects.push({ type: 'startTimer', timer: 'keepalive', ms: ka * 1000 });
  return stay(s, effects);
}
