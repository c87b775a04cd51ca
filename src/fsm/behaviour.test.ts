import t from 'tap';
import { transition, initialSession } from './transition.js';
import type { Effect, FsmEvent, Session, TimerName } from './types.js';
import { capabilitiesOf } from './negotiation.js';
import { FakeClock } from '../../test/support/fake-clock.js';
import { EVENTS, config, peerOpen, sessionIn } from '../../test/support/fsm-sessions.js';

/** Runs the FSM against a fake clock: timers are real FakeClock timers, sends are recorded. */
function harness(s: Session) {
  const clock = new FakeClock();
  const timers = new Map<TimerName, () => void>();
  const sent: { at: number; type: string }[] = [];
  let session = s;
  const run = (ev: FsmEvent): Effect[] => {
    const r = transition(session, ev);
    session = r.session;
    for (const e of r.effects) {
      if (e.type === 'send') sent.push({ at: clock.now(), type: e.message.type });
      if (e.type === 'stopTimer' || e.type === 'startTimer') { timers.get(e.timer)?.(); timers.delete(e.timer); }
      if (e.type === 'startTimer') {
        const timer = e.timer;
        timers.set(timer, clock.setTimer(e.ms, () => { timers.delete(timer); run({ type: 'TimerExpired', timer }); }));
      }
    }
    return r.effects;
  };
  return { clock, sent, run, get session() { return session; } };
}

t.test('keepalives every hold/3 on a fake clock, hold timer expiry sends 4/0', async (t) => {
  const h = harness({ ...initialSession(config), stopped: true });
  h.run({ type: 'ManualStart' });
  h.run({ type: 'TcpConnected', direction: 'outbound' });
  h.run({ type: 'Open', open: peerOpen({ holdTime: 30 }) });
  h.run({ type: 'Keepalive' });
  t.equal(h.session.state, 'Established');
  for (let i = 0; i < 2; i++) { h.clock.advance(10_000); h.run({ type: 'Keepalive' }); }
  h.clock.advance(25_000);
  t.equal(h.session.state, 'Established', 'a keepalive received 25 s ago keeps it up');
  h.clock.advance(5_000);
  t.equal(h.session.state, 'Idle', 'hold timer expired 30 s after the last message');
  const ka = h.sent.filter((m) => m.type === 'KEEPALIVE').map((m) => m.at);
  t.same(ka, [0, 10_000, 20_000, 30_000, 40_000], 'KEEPALIVE at OPEN, then every 10 s until the hold timer fires at 50 s');
  t.equal(h.sent.at(-1)?.type, 'NOTIFICATION');
});

t.test('IdleHold doubles on each failure up to the ceiling, and restarts the session', async (t) => {
  const h = harness({ ...initialSession({ ...config, mode: 'active' }), stopped: true });
  h.run({ type: 'ManualStart' });
  const waits: number[] = [];
  for (let i = 0; i < 6; i++) {
    h.run({ type: 'TcpFails' });
    t.equal(h.session.state, 'Idle');
    h.clock.advance(1_000_000);
    t.equal(h.session.state, 'Connect', 'IdleHold expiry is an AutomaticStart');
    waits.push(h.session.idleHoldMs);
  }
  t.same(waits, [2000, 4000, 8000, 8000, 8000, 8000]);
});

t.test('a session stable for stableMs resets the damping', async (t) => {
  const s = { ...sessionIn('Established'), idleHoldMs: 8000, connectRetryCounter: 5 };
  const r = transition(s, { type: 'TimerExpired', timer: 'dampingReset' });
  t.equal(r.session.idleHoldMs, config.idleHoldMs);
  t.equal(r.session.connectRetryCounter, 0);
});

t.test('established effect carries the negotiation and arms the damping reset', async (t) => {
  const r = transition(sessionIn('OpenConfirm'), { type: 'Keepalive' });
  const est = r.effects.find((e) => e.type === 'established');
  t.ok(est && est.type === 'established' && est.negotiated.holdTime === 30);
  t.ok(r.effects.some((e) => e.type === 'startTimer' && e.timer === 'dampingReset'));
});

t.test('OpenSent + valid OPEN sends KEEPALIVE and starts keepalive and hold timers', async (t) => {
  const r = transition(sessionIn('OpenSent'), EVENTS.open!);
  t.same(r.effects.filter((e) => e.type === 'send').map((e) => e.type === 'send' && e.message.type), ['KEEPALIVE']);
  t.ok(r.effects.some((e) => e.type === 'startTimer' && e.timer === 'keepalive' && e.ms === 10_000));
  t.ok(r.effects.some((e) => e.type === 'startTimer' && e.timer === 'hold' && e.ms === 30_000));
});

t.test('hold time 0: no keepalive timer; only the OpenConfirm bound (open-hold.test.ts)', async (t) => {
  const r = transition(sessionIn('OpenSent'), { type: 'Open', open: peerOpen({ holdTime: 0 }) });
  t.equal(r.session.state, 'OpenConfirm');
  t.same(r.effects.filter((e) => e.type === 'startTimer').map((e) => e.type === 'startTimer' && e.timer), ['hold']);
});

t.test('2/7 naming capability 65 makes the next OPEN leave it out, without back-off', async (t) => {
  const r = transition(sessionIn('OpenSent'), EVENTS.notif27!);
  t.same(r.session.suppressedCapabilities, [65]);
  t.ok(r.effects.some((e) => e.type === 'capabilityFallback'));
  t.equal(r.session.idleHoldMs, config.idleHoldMs);
  const again = transition(transition(r.session, { type: 'TimerExpired', timer: 'idleHold' }).session, { type: 'TcpConnected', direction: 'outbound' });
  const open = again.effects.find((e) => e.type === 'send');
  t.ok(open && open.type === 'send' && open.message.type === 'OPEN');
  if (open && open.type === 'send' && open.message.type === 'OPEN') {
    const codes = capabilitiesOf(open.message).map((c) => c.code);
    t.notOk(codes.includes(65));
    t.ok(codes.includes(1));
  }
});

t.test('2/7 also works in OpenConfirm (the peer sent its OPEN before refusing ours)', async (t) => {
  const r = transition(sessionIn('OpenConfirm'), EVENTS.notif27!);
  t.equal(r.session.state, 'Idle');
  t.same(r.session.suppressedCapabilities, [65]);
  t.ok(r.effects.some((e) => e.type === 'capabilityFallback'));
  t.same(transition(sessionIn('Established'), EVENTS.notif27!).session.suppressedCapabilities, [], 'not once Established');
});

t.test('2/4 makes the next OPEN carry no optional parameters', async (t) => {
  const r = transition(sessionIn('OpenSent'), { type: 'Notification', notification: { type: 'NOTIFICATION', code: 2, subcode: 4, data: new Uint8Array() } });
  t.equal(r.session.bareOpen, true);
  const r2 = transition({ ...r.session, state: 'Connect' }, { type: 'TcpConnected', direction: 'outbound' });
  const open = r2.effects.find((e) => e.type === 'send');
  t.ok(open && open.type === 'send' && open.message.type === 'OPEN' && open.message.params.length === 0);
});

t.test('DelayOpen: wait for the peer OPEN, answer with OPEN + KEEPALIVE (RFC 4271 §8.2.2)', async (t) => {
  const s = sessionIn('Connect', { delayOpenMs: 3000 });
  const r = transition(s, { type: 'TcpConnected', direction: 'inbound' });
  t.equal(r.session.state, 'Connect');
  t.ok(r.session.delayOpenRunning);
  t.ok(r.effects.some((e) => e.type === 'startTimer' && e.timer === 'delayOpen' && e.ms === 3000));
  const o = transition(r.session, EVENTS.open!);
  t.equal(o.session.state, 'OpenConfirm');
  t.same(o.effects.filter((e) => e.type === 'send').map((e) => e.type === 'send' && e.message.type), ['OPEN', 'KEEPALIVE']);
  const d = transition(r.session, { type: 'TimerExpired', timer: 'delayOpen' });
  t.equal(d.session.state, 'OpenSent');
  const f = transition(r.session, { type: 'TcpFails' });
  t.equal(f.session.state, 'Active');
});

t.test('Established: UPDATE and ROUTE-REFRESH are handed to the driver, attribute errors keep the session', async (t) => {
  const s = sessionIn('Established');
  t.ok(transition(s, EVENTS.update!).effects.some((e) => e.type === 'update'));
  t.ok(transition(s, EVENTS.refresh!).effects.some((e) => e.type === 'routeRefresh'));
  const w = transition(s, EVENTS.attrErr!);
  t.ok(w.effects.some((e) => e.type === 'updateError'));
  t.notOk(w.effects.some((e) => e.type === 'close'));
});

t.test('ManualStop sends Cease 6/2 with its message and does not restart', async (t) => {
  const n = { type: 'NOTIFICATION' as const, code: 6, subcode: 2, data: new Uint8Array([2, 104, 105]) };
  const r = transition(sessionIn('Established'), { type: 'ManualStop', notification: n });
  const sent = r.effects.find((e) => e.type === 'send');
  t.same(sent, { type: 'send', message: n });
  t.ok(r.session.stopped);
  t.notOk(r.effects.some((e) => e.type === 'startTimer'));
  const down = r.effects.find((e) => e.type === 'down');
  t.ok(down && down.type === 'down' && down.sent === n);
});

t.test('ConnectRetry backs off while connects go unanswered, up to the ceiling', async (t) => {
  let s = sessionIn('Connect', { connectRetryMs: 1000, idleHoldMaxMs: 8000 });
  const waits: number[] = [];
  for (let i = 0; i < 5; i++) {
    const r = transition(s, { type: 'TimerExpired', timer: 'connectRetry' });
    s = r.session;
    const st = r.effects.find((e) => e.type === 'startTimer');
    waits.push(st && st.type === 'startTimer' ? st.ms : -1);
    t.ok(r.effects.some((e) => e.type === 'connect'), 'connects again');
  }
  t.same(waits, [2000, 4000, 8000, 8000, 8000]);
  t.equal(transition(sessionIn('Established'), { type: 'TimerExpired', timer: 'dampingReset' }).session.connectRetryCounter, 0, 'reset once stable');
});
