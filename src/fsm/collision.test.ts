import t from 'tap';
import { transition } from './transition.js';
import type { Effect, Session } from './types.js';
import { peerOpen, sessionIn } from '../../test/support/fsm-sessions.js';

// RFC 4271 §6.8 as FSM effects. Ours is 10.255.0.1; peerOpen() says 10.255.0.2 (higher) unless told.
const collision = (bgpId = '10.255.0.2') => ({ type: 'CollisionOpen', open: peerOpen({ bgpId }) }) as const;
const types = (effects: Effect[]): string[] => effects.map((e) => (e.type === 'send' ? `send ${e.message.type}` : e.type));

for (const state of ['OpenSent', 'OpenConfirm'] as const) {
  t.test(`${state}, our connection outbound, peer's id higher: ours is dumped (6/7), the peer's taken over`, async (t) => {
    const { session, effects } = transition(sessionIn(state), collision());
    t.equal(session.state, 'OpenConfirm', 'the peer\'s OPEN is processed on its connection');
    t.equal(session.connection, 'inbound');
    t.equal(session.negotiated?.peerBgpId, '10.255.0.2');
    const order = types(effects).filter((x) => x !== 'stopTimer' && x !== 'startTimer');
    t.same(order, ['send NOTIFICATION', 'close', 'down', 'acceptCollision', 'send OPEN', 'send KEEPALIVE'],
      '6/7 on the old connection before it closes; OPEN and KEEPALIVE on the new one after the hand-over');
    t.match(effects[0], { type: 'send', message: { code: 6, subcode: 7 } });
    t.ok(effects.some((e) => e.type === 'startTimer' && e.timer === 'hold'), 'hold timer for the new connection');
    t.notOk(effects.some((e) => e.type === 'startTimer' && e.timer === 'idleHold'), 'no Idle detour, no back-off');
    t.equal(session.connectRetryCounter, 0);
  });

  t.test(`${state}, our connection outbound, our id higher: the second connection is rejected with 6/7`, async (t) => {
    const s = sessionIn(state);
    const { session, effects } = transition(s, collision('10.0.0.9'));
    t.same(session, s, 'the session is untouched');
    t.same(effects, [{ type: 'rejectCollision', notification: { type: 'NOTIFICATION', code: 6, subcode: 7, data: new Uint8Array(0) } }]);
  });

  t.test(`${state}, our connection inbound too: the higher id keeps the connection it initiated`, async (t) => {
    const s: Session = { ...sessionIn(state), connection: 'inbound' };
    t.same(types(transition(s, collision()).effects), ['rejectCollision'], 'peer higher: it keeps the one it opened first');
    t.ok(types(transition(s, collision('10.0.0.9')).effects).includes('acceptCollision'), 'ours higher: the newest inbound replaces');
  });
}

t.test('equal BGP identifiers: the higher AS wins (RFC 6286 §2.3)', async (t) => {
  const s = sessionIn('OpenSent', { localAs: 65000, peerAs: 64601 });
  t.same(types(transition(s, collision('10.255.0.1')).effects), ['rejectCollision'], 'our AS is higher: keep ours');
});

t.test('Established keeps its connection; Idle ignores; Connect/Active take the peer\'s connection', async (t) => {
  t.same(types(transition(sessionIn('Established'), collision()).effects), ['rejectCollision']);
  t.same(transition(sessionIn('Idle'), collision()).effects, []);
  for (const state of ['Connect', 'Active'] as const) {
    const { session, effects } = transition(sessionIn(state), collision('10.0.0.9'));
    t.equal(session.state, 'OpenConfirm', state);
    t.same(types(effects).filter((x) => x !== 'stopTimer' && x !== 'startTimer'), ['close', 'acceptCollision', 'send OPEN', 'send KEEPALIVE'], state);
  }
});

t.test('a bad OPEN on the taken-over connection is answered there', async (t) => {
  const { session, effects } = transition(sessionIn('OpenSent'), { type: 'CollisionOpen', open: peerOpen({ myAs: 65000, params: [] }) });
  t.equal(session.state, 'Idle');
  const i = types(effects).indexOf('acceptCollision');
  const bad = effects.findIndex((e) => e.type === 'send' && e.message.type === 'NOTIFICATION' && e.message.code === 2);
  t.ok(i >= 0 && bad > i, '2/2 goes out after the hand-over, on the new connection');
});
