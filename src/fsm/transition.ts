import type { NotificationMessage } from '../bgp/types.js';
import type { Effect, FsmEvent, Session, SessionConfig, TimerName, TransitionResult } from './types.js';
import { buildOpen, negotiate } from './negotiation.js';
import {
  CEASE_COLLISION, ERR_CEASE, ERR_OPEN, OPEN_UNSUPPORTED_CAPABILITY, OPEN_UNSUPPORTED_PARAM,
  adminShutdown, fsmError, holdTimerExpired, notification, unsupportedCapabilityCodes,
} from './notifications.js';

/** RFC 4271 §8.2.2 suggests 4 minutes as the "large value" for the hold timer in OpenSent: the ceiling. */
export const OPEN_HOLD_MS = 240_000;
/** Our bound before the peer's OPEN (and, with hold time 0, before its KEEPALIVE): a silent peer costs at most this. */
export const OPEN_HOLD_DEFAULT_MS = 90_000;

/** The OpenSent/OpenConfirm bound: the configured hold time, at most 90 s; 90 s when it is 0 (no hold timer later). */
export function openHoldMs(c: SessionConfig): number {
  const configured = c.holdTime > 0 ? c.holdTime * 1000 : OPEN_HOLD_DEFAULT_MS;
  return Math.min(configured, OPEN_HOLD_DEFAULT_MS, OPEN_HOLD_MS);
}

export function initialSession(config: SessionConfig): Session {
  return {
    state: 'Idle', config, connectRetryCounter: 0, idleHoldMs: config.idleHoldMs, delayOpenRunning: false,
    suppressedCapabilities: [], bareOpen: false, stopped: true,
  };
}

const SESSION_TIMERS: TimerName[] = ['connectRetry', 'hold', 'keepalive', 'delayOpen', 'dampingReset'];
const KEEPALIVE = { type: 'KEEPALIVE' } as const;

interface IdleOptions { sent?: NotificationMessage; received?: NotificationMessage; manual?: boolean; noBackoff?: boolean }

/** Any fall back to Idle: notify, drop the connection, and (unless stopped by hand) schedule the restart. */
function toIdle(s: Session, reason: string, o: IdleOptions = {}): TransitionResult {
  const effects: Effect[] = [];
  if (o.sent) effects.push({ type: 'send', message: o.sent });
  for (const timer of SESSION_TIMERS) effects.push({ type: 'stopTimer', timer });
  effects.push({ type: 'close' });
  const down: Effect = { type: 'down', reason };
  if (o.sent) down.sent = o.sent;
  if (o.received) down.received = o.received;
  effects.push(down);
  const base = { ...s, state: 'Idle' as const, delayOpenRunning: false, negotiated: undefined };
  if (o.manual) {
    effects.push({ type: 'stopTimer', timer: 'idleHold' });
    return { session: { ...base, stopped: true, connectRetryCounter: 0, idleHoldMs: s.config.idleHoldMs }, effects };
  }
  // RFC 4271 §8.1.1 DampPeerOscillations: each fall to Idle waits longer before the automatic restart
  effects.push({ type: 'startTimer', timer: 'idleHold', ms: s.idleHoldMs });
  const next = o.noBackoff ? s.idleHoldMs : Math.min(s.idleHoldMs * 2, s.config.idleHoldMaxMs);
  return { session: { ...base, connectRetryCounter: s.connectRetryCounter + 1, idleHoldMs: next }, effects };
}

function start(s: Session): TransitionResult {
  const session: Session = { ...s, stopped: false };
  if (s.config.mode === 'passive') return { session: { ...session, state: 'Active' }, effects: [] };
  return {
    session: { ...session, state: 'Connect' },
    effects: [{ type: 'startTimer', timer: 'connectRetry', ms: s.config.connectRetryMs }, { type: 'connect' }],
  };
}

function sendOpen(s: Session): TransitionResult {
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

/** The peer's OPEN arrived (OpenSent, or Connect/Active with DelayOpen running). */
function openReceived(s: Session, ev: Extract<FsmEvent, { type: 'Open' }>, alsoSendOpen: boolean): TransitionResult {
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

const stay = (s: Session, effects: Effect[] = []): TransitionResult => ({ session: s, effects });

function restartHold(s: Session): Effect[] {
  const hold = s.negotiated?.holdTime ?? 0;
  if (hold > 0) return [{ type: 'startTimer', timer: 'hold', ms: hold * 1000 }];
  // Negotiated 0: the OpenConfirm bound must not outlive OpenConfirm
  return s.state === 'OpenConfirm' ? [{ type: 'stopTimer', timer: 'hold' }] : [];
}

function keepaliveTick(s: Session): TransitionResult {
  const ka = s.negotiated?.keepalive ?? 0;
  const effects: Effect[] = [{ type: 'send', message: KEEPALIVE }];
  if (ka > 0) effects.push({ type: 'startTimer', timer: 'keepalive', ms: ka * 1000 });
  return stay(s, effects);
}

function stopSent(ev: Extract<FsmEvent, { type: 'ManualStop' | 'AutomaticStop' }>): NotificationMessage {
  return ev.notification ?? adminShutdown();
}

const collision = (): NotificationMessage => notification(ERR_CEASE, CEASE_COLLISION);

/** Idle, Connect, Active: before any OPEN went out. */
function beforeOpen(s: Session, ev: FsmEvent): TransitionResult {
  if (s.state === 'Idle') {
    if (ev.type === 'ManualStart') return start({ ...s, connectRetryCounter: 0, idleHoldMs: s.config.idleHoldMs });
    if (ev.type === 'TimerExpired' && ev.timer === 'idleHold' && !s.stopped) return start(s);
    // RFC 4271 §8.2.2 Idle: all other events are ignored
    return stay(s);
  }
  switch (ev.type) {
    case 'ManualStart':
      return stay(s);
    case 'ManualStop':
      return toIdle(s, 'stopped', { manual: true });
    case 'AutomaticStop':
      return toIdle(s, ev.reason);
    case 'TcpConnected':
      if (s.config.delayOpenMs) {
        return stay({ ...s, delayOpenRunning: true }, [
          { type: 'stopTimer', timer: 'connectRetry' },
          { type: 'startTimer', timer: 'delayOpen', ms: s.config.delayOpenMs },
        ]);
      }
      return sendOpen(s);
    case 'TcpFails':
      if (s.state === 'Connect' && s.delayOpenRunning) {
        return stay({ ...s, state: 'Active', delayOpenRunning: false }, [
          { type: 'stopTimer', timer: 'delayOpen' }, { type: 'close' },
          { type: 'startTimer', timer: 'connectRetry', ms: s.config.connectRetryMs },
        ]);
      }
      return toIdle(s, ev.reason ?? 'connection failed');
    case 'TimerExpired':
      if (ev.timer === 'connectRetry') {
        if (s.config.mode === 'passive') return stay(s);
        const effects: Effect[] = [];
        if (s.state === 'Connect') effects.push({ type: 'close' }, { type: 'stopTimer', timer: 'delayOpen' });
        // Each unanswered attempt waits twice as long, up to the IdleHold ceiling (RFC 4271 §10 leaves it open)
        const counter = s.connectRetryCounter + 1;
        const ms = Math.min(s.config.connectRetryMs * 2 ** Math.min(counter, 10), Math.max(s.config.connectRetryMs, s.config.idleHoldMaxMs));
        effects.push({ type: 'startTimer', timer: 'connectRetry', ms }, { type: 'connect' });
        return stay({ ...s, state: 'Connect', delayOpenRunning: false, connectRetryCounter: counter }, effects);
      }
      if (ev.timer === 'delayOpen' && s.delayOpenRunning) return sendOpen(s);
      if (ev.timer === 'idleHold' || ev.timer === 'dampingReset') return stay(s);
      return toIdle(s, `unexpected ${ev.timer} timer in ${s.state}`);
    case 'Open':
      if (s.delayOpenRunning) return openReceived(s, ev, true);
      return toIdle(s, `OPEN before the connection was up in ${s.state}`);
    case 'MessageError':
      return toIdle(s, ev.error.message, { sent: notification(ev.error.code, ev.error.subcode, ev.error.data) });
    case 'Notification':
      return toIdle(s, 'NOTIFICATION received', { received: ev.notification });
    default:
      // RFC 4271 §8.2.2 Connect/Active: any other event drops the connection, no NOTIFICATION
      return toIdle(s, `unexpected ${ev.type} in ${s.state}`);
  }
}

/** OpenSent, OpenConfirm, Established: an OPEN went out, so errors are NOTIFIED. */
function afterOpen(s: Session, ev: FsmEvent): TransitionResult {
  const unexpected = (): TransitionResult =>
    toIdle(s, `unexpected ${ev.type === 'TimerExpired' ? ev.timer + ' timer' : ev.type} in ${s.state}`, { sent: fsmError(s.state) });
  switch (ev.type) {
    case 'ManualStart':
    case 'TcpConnected': // a second connection is the driver's business (§6.8 collision)
      return stay(s);
    case 'ManualStop':
      return toIdle(s, 'stopped', { sent: stopSent(ev), manual: true });
    case 'AutomaticStop':
      return toIdle(s, ev.reason, { sent: stopSent(ev) });
    case 'TcpFails':
      if (s.state === 'OpenSent') {
        // RFC 4271 §8.2.2 OpenSent: back to Active, retry after ConnectRetry
        return stay({ ...s, state: 'Active' }, [
          { type: 'stopTimer', timer: 'hold' }, { type: 'close' },
          { type: 'startTimer', timer: 'connectRetry', ms: s.config.connectRetryMs },
        ]);
      }
      return toIdle(s, ev.reason ?? 'connection closed');
    case 'OpenCollisionDump':
      return toIdle(s, 'connection collision', { sent: collision() });
    case 'Notification':
      return notificationReceived(s, ev.notification);
    case 'MessageError':
      if (s.state === 'Established' && ev.error.action !== 'session-reset') {
        // RFC 7606 §2: treat-as-withdraw and attribute-discard keep the session
        return stay(s, [...restartHold(s), { type: 'updateError', error: ev.error }]);
      }
      return toIdle(s, ev.error.message, { sent: notification(ev.error.code, ev.error.subcode, ev.error.data) });
    case 'TimerExpired':
      if (ev.timer === 'hold') return toIdle(s, 'hold timer expired', { sent: holdTimerExpired() });
      if (ev.timer === 'keepalive' && s.state !== 'OpenSent') return keepaliveTick(s);
      if (ev.timer === 'idleHold') return stay(s);
      if (ev.timer === 'dampingReset') {
        return stay(s.state === 'Established' ? { ...s, idleHoldMs: s.config.idleHoldMs, connectRetryCounter: 0 } : s);
      }
      return unexpected();
    case 'Open':
      if (s.state === 'OpenSent') return openReceived(s, ev, false);
      return unexpected();
    case 'Keepalive':
      if (s.state === 'OpenConfirm' && s.negotiated) {
        const effects: Effect[] = [...restartHold(s), { type: 'established', negotiated: s.negotiated }];
        effects.push({ type: 'startTimer', timer: 'dampingReset', ms: s.config.stableMs });
        return { session: { ...s, state: 'Established' }, effects };
      }
      if (s.state === 'Established') return stay(s, restartHold(s));
      return unexpected();
    case 'Update':
      if (s.state === 'Established') return stay(s, [...restartHold(s), { type: 'update', update: ev.update }]);
      return unexpected();
    case 'RouteRefresh':
      if (s.state === 'Established') return stay(s, [...restartHold(s), { type: 'routeRefresh', refresh: ev.refresh }]);
      return unexpected();
  }
}

function notificationReceived(s: Session, n: NotificationMessage): TransitionResult {
  // RFC 5492 §5: the peer named what it does not support; the next OPEN leaves it out. The answer to
  // our OPEN can come after the peer's own OPEN, so OpenConfirm too.
  const answeringOurOpen = s.state === 'OpenSent' || s.state === 'OpenConfirm';
  if (answeringOurOpen && n.code === ERR_OPEN && n.subcode === OPEN_UNSUPPORTED_CAPABILITY) {
    const codes = unsupportedCapabilityCodes(n.data);
    const fresh = codes.filter((c) => !s.suppressedCapabilities.includes(c));
    if (fresh.length) {
      const r = toIdle({ ...s, suppressedCapabilities: [...s.suppressedCapabilities, ...fresh] },
        `peer refused capabilities ${fresh.join(', ')}`, { received: n, noBackoff: true });
      return { ...r, effects: [...r.effects, { type: 'capabilityFallback', dropped: fresh }] };
    }
  }
  if (answeringOurOpen && n.code === ERR_OPEN && n.subcode === OPEN_UNSUPPORTED_PARAM && !s.bareOpen) {
    const r = toIdle({ ...s, bareOpen: true }, 'peer refused optional parameters', { received: n, noBackoff: true });
    return { ...r, effects: [...r.effects, { type: 'capabilityFallback', dropped: 'all' }] };
  }
  // A NOTIFICATION is never answered with another (RFC 4271 §6: the connection closes after it)
  return toIdle(s, 'NOTIFICATION received', { received: n });
}

/** RFC 4271 §8: one (state, event) step; pure, effects as data. */
export function transition(s: Session, ev: FsmEvent): TransitionResult {
  if (s.state === 'Idle' || s.state === 'Connect' || s.state === 'Active') return beforeOpen(s, ev);
  return afterOpen(s, ev);
}
