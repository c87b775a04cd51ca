import type { Session, TransitionResult } from './types.js';
import { sendHoldTimerExpired } from './notifications.js';
import { stay, toIdle } from './steps.js';

/** RFC 9687 §4 suggests 8 minutes or twice the hold time, whichever is greater. */
export const SEND_HOLD_MIN_MS = 480_000;

/** The send hold time of this session: the configured one, else max(8 min, 2 × hold time). */
export function sendHoldMs(s: Session): number {
  if (s.config.sendHoldMs !== undefined && s.config.sendHoldMs > 0) return s.config.sendHoldMs;
  const hold = s.negotiated?.holdTime ?? s.config.holdTime;
  return Math.max(SEND_HOLD_MIN_MS, 2 * hold * 1000);
}

/**
 * RFC 9687 §3: the timer runs while what we send does not get through (the socket buffer stays full)
 * and stops when it drains. Only once an OPEN went out; before that nothing is queued for the peer.
 */
export function sendBlocked(s: Session): TransitionResult {
  if (s.sendBlocked) return stay(s);
  return stay({ ...s, sendBlocked: true }, [{ type: 'startTimer', timer: 'sendHold', ms: sendHoldMs(s) }]);
}

export function sendDrained(s: Session): TransitionResult {
  if (!s.sendBlocked) return stay(s);
  return stay({ ...s, sendBlocked: false }, [{ type: 'stopTimer', timer: 'sendHold' }]);
}

/** RFC 9687 §3: NOTIFICATION 8 (it may well not get through either), drop the connection, Idle. */
export function sendHoldExpired(s: Session): TransitionResult {
  if (!s.sendBlocked) return stay(s);
  const secs = Math.round(sendHoldMs(s) / 1000);
  return toIdle(s, `send hold timer expired: the peer took nothing we sent for ${secs} s`, { sent: sendHoldTimerExpired() });
}
