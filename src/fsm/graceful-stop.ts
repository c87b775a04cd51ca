import type { FsmEvent, Session, TransitionResult } from './types.js';
import { adminShutdown, hardReset } from './notifications.js';
import { toIdle } from './steps.js';

/**
 * ManualStop once our OPEN went out. A planned restart (`graceful`, graceful restart offered) sends
 * no Cease: RFC 4724 §4.2, the peer keeps our routes as stale when the connection just closes;
 * with RFC 8538's N bit negotiated the given NOTIFICATION goes, since any but Hard Reset keeps them
 * (§4). A full stop sends the Cease, as a Hard Reset when N was negotiated (RFC 8538 §3, §5), so
 * the peer drops everything at once.
 */
export function manualStop(s: Session, ev: Extract<FsmEvent, { type: 'ManualStop' }>): TransitionResult {
  const sent = ev.notification ?? adminShutdown();
  const nBit = s.negotiated?.gracefulNotification ?? false;
  if (ev.graceful && s.config.gracefulRestartTime !== undefined) {
    return toIdle(s, 'stopped for a graceful restart', nBit ? { sent, manual: true } : { manual: true });
  }
  return toIdle(s, 'stopped', { sent: nBit ? hardReset(sent) : sent, manual: true });
}
