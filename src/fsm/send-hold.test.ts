import t from 'tap';
import { transition } from './transition.js';
import { SEND_HOLD_MIN_MS, sendHoldMs } from './send-hold.js';
import type { Effect, FsmEvent, Session } from './types.js';
import { sessionIn } from '../../test/support/fsm-sessions.js';

// RFC 9687: the send hold timer runs while what we write does not get through.

const run = (s: Session, ...evs: FsmEvent[]): { session: Session; effects: Effect[] } => {
  let effects: Effect[] = [];
  for (const ev of evs) ({ session: s, effects } = transition(s, ev));
  return { session: s, effects };
};
const blocked: FsmEvent = { type: 'SendBlocked' };
const drained: FsmEvent = { type: 'SendDrained' };
const expired: FsmEvent = { type: 'TimerExpired', timer: 'sendHold' };

t.test('default send hold time: max(8 minutes, 2 × negotiated hold time)', async (t) => {
  t.equal(SEND_HOLD_MIN_MS, 480_000);
  t.equal(sendHoldMs(sessionIn('Established')), 480_000, 'hold 30 s → 8 minutes');
  const long = sessionIn('Established');
  long.negotiated = { ...long.negotiated!, holdTime: 600 };
  t.equal(sendHoldMs(long), 1_200_000, 'hold 600 s → 20 minutes');
  t.equal(sendHoldMs(sessionIn('OpenSent', { holdTime: 300 })), 600_000, 'before negotiation: the configured hold time');
  t.equal(sendHoldMs(sessionIn('Established', { sendHoldMs: 4000 })), 4000, 'the configured override wins');
});

t.test('Established: blocked starts the timer once; drained stops it', async (t) => {
  const r1 = transition(sessionIn('Established'), blocked);
  t.same(r1.effects, [{ type: 'startTimer', timer: 'sendHold', ms: 480_000 }]);
  t.equal(r1.session.sendBlocked, true);
  const r2 = transition(r1.session, blocked);
  t.same(r2.effects, [], 'a second SendBlocked does not restart it (the peer made no progress)');
  const r3 = transition(r2.session, drained);
  t.same(r3.effects, [{ type: 'stopTimer', timer: 'sendHold' }]);
  t.equal(r3.session.sendBlocked, false);
  t.same(transition(r3.session, drained).effects, [], 'drained twice: nothing');
});

for (const state of ['OpenSent', 'OpenConfirm', 'Established'] as const) {
  t.test(`${state}: expiry while blocked → NOTIFICATION 8, close, Idle, reason says why`, async (t) => {
    const { session, effects } = run(sessionIn(state, { sendHoldMs: 5000 }), blocked, expired);
    t.equal(session.state, 'Idle');
    t.equal(session.sendBlocked, false);
    const sent = effects.find((e) => e.type === 'send');
    t.match(sent, { type: 'send', message: { type: 'NOTIFICATION', code: 8, subcode: 0 } });
    t.ok(effects.some((e) => e.type === 'close'), 'closes');
    t.ok(effects.some((e) => e.type === 'stopTimer' && e.timer === 'sendHold'));
    const down = effects.find((e) => e.type === 'down');
    t.match(down, { type: 'down', reason: /send hold timer expired.*5 s/, sent: { code: 8 } });
    t.ok(effects.some((e) => e.type === 'startTimer' && e.timer === 'idleHold'), 'reconnects after IdleHold');
  });
}

t.test('a stale expiry after the buffer drained is ignored', async (t) => {
  const { session, effects } = run(sessionIn('Established'), blocked, drained, expired);
  t.equal(session.state, 'Established');
  t.same(effects, []);
});

t.test('before any OPEN went out, blocked/drained/expiry change nothing', async (t) => {
  for (const state of ['Idle', 'Connect', 'Active'] as const) {
    const { session, effects } = run(sessionIn(state), blocked, expired, drained);
    t.equal(session.state, state);
    t.equal(session.sendBlocked, false, state);
    t.same(effects, [], state);
  }
});

t.test('every fall to Idle and OpenSent → Active clear the blocked flag and stop the timer', async (t) => {
  const stop = run(sessionIn('Established'), blocked, { type: 'ManualStop' });
  t.equal(stop.session.sendBlocked, false);
  t.ok(stop.effects.some((e) => e.type === 'stopTimer' && e.timer === 'sendHold'));
  const fail = run(sessionIn('OpenSent'), blocked, { type: 'TcpFails' });
  t.equal(fail.session.state, 'Active');
  t.equal(fail.session.sendBlocked, false);
  t.ok(fail.effects.some((e) => e.type === 'stopTimer' && e.timer === 'sendHold'));
});
