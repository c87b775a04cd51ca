import t from 'tap';
import { OPEN_HOLD_MS, openHoldMs, transition } from './transition.js';
import type { Effect, Session } from './types.js';
import { peerOpen, sessionIn } from '../../test/support/fsm-sessions.js';

// Issue 11 §8: a peer that accepts TCP and never sends must not hold the session in OpenSent (or
// OpenConfirm) for RFC 4271's suggested 4 minutes; the bound is the configured hold time, at most 90 s.

const holdStart = (effects: Effect[]): number | undefined => {
  const e = effects.find((x) => x.type === 'startTimer' && x.timer === 'hold');
  return e && e.type === 'startTimer' ? e.ms : undefined;
};

const connected = (holdTime: number): Session => transition(sessionIn('Connect', { holdTime }), { type: 'TcpConnected', direction: 'outbound' }).session;

t.test('OpenSent arms the hold timer with the configured hold time, not 4 minutes', async (t) => {
  for (const [hold, ms] of [[3, 3000], [9, 9000], [30, 30_000], [90, 90_000], [180, 90_000], [65535, 90_000], [0, 90_000]] as const) {
    const r = transition(sessionIn('Connect', { holdTime: hold }), { type: 'TcpConnected', direction: 'outbound' });
    t.equal(r.session.state, 'OpenSent');
    t.equal(holdStart(r.effects), ms, `hold ${hold} s → OpenSent bound ${ms} ms`);
    t.ok((holdStart(r.effects) ?? Infinity) < OPEN_HOLD_MS, 'below the RFC\'s 4-minute large value');
  }
});

t.test('DelayOpen expiry also sends OPEN with the bounded hold timer', async (t) => {
  const s = { ...sessionIn('Connect', { holdTime: 9, delayOpenMs: 500 }), delayOpenRunning: true };
  const r = transition(s, { type: 'TimerExpired', timer: 'delayOpen' });
  t.equal(r.session.state, 'OpenSent');
  t.equal(holdStart(r.effects), 9000);
});

t.test('the bound expiring in OpenSent sends Hold Timer Expired and falls to Idle', async (t) => {
  const r = transition(connected(9), { type: 'TimerExpired', timer: 'hold' });
  t.equal(r.session.state, 'Idle');
  const sent = r.effects.find((e) => e.type === 'send');
  t.match(sent, { message: { type: 'NOTIFICATION', code: 4, subcode: 0 } });
  t.ok(r.effects.some((e) => e.type === 'close'));
});

t.test('negotiated hold time 0: OpenConfirm is still bounded, and the bound stops at Established', async (t) => {
  const os = connected(0);
  const r = transition(os, { type: 'Open', open: peerOpen({ holdTime: 0 }) });
  t.equal(r.session.state, 'OpenConfirm');
  t.equal(r.session.negotiated?.holdTime, 0);
  t.equal(holdStart(r.effects), 90_000, 'OpenConfirm waits for the KEEPALIVE at most 90 s');
  const expired = transition(r.session, { type: 'TimerExpired', timer: 'hold' });
  t.equal(expired.session.state, 'Idle', 'a peer that never sends its KEEPALIVE is dropped');
  t.match(expired.effects.find((e) => e.type === 'send'), { message: { code: 4, subcode: 0 } });
  const est = transition(r.session, { type: 'Keepalive' });
  t.equal(est.session.state, 'Established');
  t.ok(est.effects.some((e) => e.type === 'stopTimer' && e.timer === 'hold'), 'no hold timer once Established with hold 0');
  t.equal(holdStart(est.effects), undefined);
});

t.test('a non-zero negotiated hold time runs in OpenConfirm as before', async (t) => {
  const r = transition(connected(90), { type: 'Open', open: peerOpen({ holdTime: 30 }) });
  t.equal(r.session.state, 'OpenConfirm');
  t.equal(holdStart(r.effects), 30_000);
});

t.test('openHoldMs never exceeds 90 s nor the configured hold time', async (t) => {
  const base = sessionIn('Idle').config;
  for (let hold = 0; hold <= 65535; hold += hold < 200 ? 1 : 997) {
    const ms = openHoldMs({ ...base, holdTime: hold });
    t.ok(ms <= 90_000 && (hold === 0 || ms <= hold * 1000) && ms > 0, `hold ${hold}`);
  }
});
