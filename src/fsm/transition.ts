import type { NotificationMessage } from '../bgp/types.js';
import { ErrorCode, OpenSubcode } from '../bgp/constants.js';
import type { Effect, FsmEvent, Session, TransitionResult } from './types.js';
import { adminShutdown, fsmError, holdTimerExpired, notification, unsupportedCapabilityCodes } from './notifications.js';
import { keepaliveTick, openReceived, restartHold, sendOpen, start, stay, toIdle } from './steps.js';
import { sendBlocked, sendDrained, sendHoldExpired } from './send-hold.js';
import { collisionOpen } from './collision.js';
import { manualStop } from './graceful-stop.js';

export { OPEN_HOLD_MS, OPEN_HOLD_DEFAULT_MS, openHoldMs, initialSession } from './steps.js';

function stopSent(ev: Extract<FsmEvent, { type: 'ManualStop' | 'AutomaticStop' }>): NotificationMessage {
  return ev.notification ?? adminShutdown();
}

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
        return stay({ ...s, delayOpenRunning: true, connection: ev.direction }, [
          { type: 'stopTimer', timer: 'connectRetry' },
          { type: 'startTimer', timer: 'delayOpen', ms: s.config.delayOpenMs },
        ]);
      }
      return sendOpen({ ...s, connection: ev.direction });
    case 'TcpFails':
      if (s.state === 'Connect' && s.delayOpenRunning) {
        return stay({ ...s, state: 'Active', delayOpenRunning: false, connection: null }, [
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
      if (ev.timer === 'idleHold' || ev.timer === 'dampingReset' || ev.timer === 'sendHold') return stay(s);
      return toIdle(s, `unexpected ${ev.timer} timer in ${s.state}`);
    case 'CollisionOpen':
      return collisionOpen(s, ev.open);
    case 'SendBlocked':
    case 'SendDrained':
      // Nothing of the session's is queued before our OPEN
      return stay(s);
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
    case 'TcpConnected': // a second connection is held by the driver until its OPEN (CollisionOpen)
      return stay(s);
    case 'CollisionOpen':
      return collisionOpen(s, ev.open);
    case 'SendBlocked':
      return sendBlocked(s);
    case 'SendDrained':
      return sendDrained(s);
    case 'ManualStop':
      return manualStop(s, ev);
    case 'AutomaticStop':
      return toIdle(s, ev.reason, { sent: stopSent(ev) });
    case 'TcpFails':
      if (s.state === 'OpenSent') {
        // RFC 4271 §8.2.2 OpenSent: back to Active, retry after ConnectRetry
        return stay({ ...s, state: 'Active', connection: null, sendBlocked: false }, [
          { type: 'stopTimer', timer: 'hold' }, { type: 'stopTimer', timer: 'sendHold' }, { type: 'close' },
          { type: 'startTimer', timer: 'connectRetry', ms: s.config.connectRetryMs },
        ]);
      }
      return toIdle(s, ev.reason ?? 'connection closed');
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
      if (ev.timer === 'sendHold') return sendHoldExpired(s);
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
        // RFC 4724 §3: the Restart State bit is for the OPENs right after the restart only
        return { session: { ...s, state: 'Established', restarting: false }, effects };
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
  if (answeringOurOpen && n.code === ErrorCode.OPEN && n.subcode === OpenSubcode.UNSUPPORTED_CAPABILITY) {
    const codes = unsupportedCapabilityCodes(n.data);
    const fresh = codes.filter((c) => !s.suppressedCapabilities.includes(c));
    if (fresh.length) {
      const r = toIdle({ ...s, suppressedCapabilities: [...s.suppressedCapabilities, ...fresh] },
        `peer refused capabilities ${fresh.join(', ')}`, { received: n, noBackoff: true });
      return { ...r, effects: [...r.effects, { type: 'capabilityFallback', dropped: fresh }] };
    }
  }
  if (answeringOurOpen && n.code === ErrorCode.OPEN && n.subcode === OpenSubcode.UNSUPPORTED_OPTIONAL_PARAMETER && !s.bareOpen) {
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
