import type { OpenMessage } from '../bgp/types.js';
import type { Effect, Session, TransitionResult } from './types.js';
import { keepLocallyInitiated, peerAsOf } from './negotiation.js';
import { collisionResolution } from './notifications.js';
import { SESSION_TIMERS, openReceived, stay } from './steps.js';

/**
 * RFC 4271 §6.8: the peer's OPEN arrived on a second connection the driver held. Keep one
 * connection: the driver rejects the second (`rejectCollision`) or hands it over (`acceptCollision`)
 * after the current one is closed, and the session carries on from the peer's OPEN on it.
 */
export function collisionOpen(s: Session, open: OpenMessage): TransitionResult {
  const ev = { type: 'CollisionOpen', open } as const;
  const reject = stay(s, [{ type: 'rejectCollision', notification: collisionResolution() }]);
  switch (s.state) {
    case 'Idle':
      // RFC 4271 §8.2.2 Idle ignores every event; the driver drops what it held
      return stay(s);
    case 'Established':
      // §6.8: a collision with an Established connection keeps the Established one
      return reject;
    case 'Connect':
    case 'Active': {
      // No OPEN of ours went out yet: the peer's connection simply becomes the session's
      const r = openReceived({ ...s, connection: 'inbound', delayOpenRunning: false }, ev, true);
      return { session: r.session, effects: [{ type: 'close' }, { type: 'acceptCollision' }, ...r.effects] };
    }
    default:
      break;
  }
  const keepOutbound = keepLocallyInitiated(s.config.bgpId, open.bgpId, s.config.localAs, s.config.peerAs ?? peerAsOf(open));
  if ((s.connection === 'outbound') === keepOutbound) return reject;
  // §6.8: the higher BGP identifier's connection wins; ours is closed with Cease 6/7
  const sent = collisionResolution();
  const effects: Effect[] = [{ type: 'send', message: sent }];
  for (const timer of SESSION_TIMERS) effects.push({ type: 'stopTimer', timer });
  effects.push({ type: 'close' }, { type: 'down', reason: "connection collision: keeping the peer's connection", sent }, { type: 'acceptCollision' });
  const fresh: Session = { ...s, state: 'Active', negotiated: undefined, connection: 'inbound', sendBlocked: false, delayOpenRunning: false };
  const r = openReceived(fresh, ev, true);
  return { session: r.session, effects: [...effects, ...r.effects] };
}
