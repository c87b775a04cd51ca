import t from 'tap';
import { transition } from './transition.js';
import type { Effect, State } from './types.js';
import { STATES } from './types.js';
import { EVENTS, sessionIn } from '../../test/support/fsm-sessions.js';

// Every (state, event) cell: the next state and the NOTIFICATION we send ("-" = none).
// Columns follow the keys of EVENTS; RFC 4271 §8.2.2 with RFC 6608 subcodes for unexpected messages.
const COLUMNS = Object.keys(EVENTS);
const TABLE: Record<State, string> = {
  //           start       stop     autostop t.cRetry t.hold   t.ka        t.idleH     t.delayO t.dampR     tcpOut      tcpIn       tcpFail open        openBadAs headerErr attrErr     notif notif27 keepalive   update      refresh     collision       t.sendH     blocked     drained
  Idle:        'Connect     Idle     Idle     Idle     Idle     Idle        Connect     Idle     Idle        Idle        Idle        Idle    Idle        Idle      Idle      Idle        Idle  Idle    Idle        Idle        Idle        Idle            Idle        Idle        Idle',
  Connect:     'Connect     Idle     Idle     Connect  Idle     Idle        Connect     Idle     Connect     OpenSent    OpenSent    Idle    Idle        Idle      Idle/1.2  Idle/3.1    Idle  Idle    Idle        Idle        Idle        OpenConfirm     Connect     Connect     Connect',
  Active:      'Active      Idle     Idle     Connect  Idle     Idle        Active      Idle     Active      OpenSent    OpenSent    Idle    Idle        Idle      Idle/1.2  Idle/3.1    Idle  Idle    Idle        Idle        Idle        OpenConfirm     Active      Active      Active',
  OpenSent:    'OpenSent    Idle/6.2 Idle/6.1 Idle/5.1 Idle/4.0 Idle/5.1    OpenSent    Idle/5.1 OpenSent    OpenSent    OpenSent    Active  OpenConfirm Idle/2.2  Idle/1.2  Idle/3.1    Idle  Idle    Idle/5.1    Idle/5.1    Idle/5.1    OpenConfirm/6.7 OpenSent    OpenSent    OpenSent',
  OpenConfirm: 'OpenConfirm Idle/6.2 Idle/6.1 Idle/5.2 Idle/4.0 OpenConfirm OpenConfirm Idle/5.2 OpenConfirm OpenConfirm OpenConfirm Idle    Idle/5.2    Idle/5.2  Idle/1.2  Idle/3.1    Idle  Idle    Established Idle/5.2    Idle/5.2    OpenConfirm/6.7 OpenConfirm OpenConfirm OpenConfirm',
  Established: 'Established Idle/6.2 Idle/6.1 Idle/5.3 Idle/4.0 Established Established Idle/5.3 Established Established Established Idle    Idle/5.3    Idle/5.3  Idle/1.2  Established Idle  Idle    Established Established Established Established     Established Established Established',
};

const sentNotification = (effects: Effect[]): string => {
  const n = effects.find((e) => e.type === 'send' && e.message.type === 'NOTIFICATION');
  return n && n.type === 'send' && n.message.type === 'NOTIFICATION' ? `${n.message.code}.${n.message.subcode}` : '-';
};

for (const state of STATES) {
  const row = TABLE[state].trim().split(/\s+/);
  t.equal(row.length, COLUMNS.length, `${state}: one expectation per event`);
  t.test(state, async (t) => {
    COLUMNS.forEach((key, i) => {
      const [next, code = '-'] = (row[i] as string).split('/');
      const { session, effects } = transition(sessionIn(state), EVENTS[key]!);
      t.equal(session.state, next, `${state} + ${key} → ${next}`);
      t.equal(sentNotification(effects), code, `${state} + ${key} sends ${code === '-' ? 'no NOTIFICATION' : code}`);
      if (next === 'Idle' && state !== 'Idle') {
        t.ok(effects.some((e) => e.type === 'close'), `${state} + ${key} closes the connection`);
        t.ok(effects.some((e) => e.type === 'down'), `${state} + ${key} reports down`);
      }
      if (state === 'Idle' && next === 'Idle') t.same(effects, [], `Idle ignores ${key}`);
    });
  });
}

t.test('a stopped Idle session does not restart on IdleHold', async (t) => {
  const s = { ...sessionIn('Idle'), stopped: true };
  const r = transition(s, { type: 'TimerExpired', timer: 'idleHold' });
  t.equal(r.session.state, 'Idle');
  t.same(r.effects, []);
});

t.test('a passive session waits in Active and never connects', async (t) => {
  const r = transition({ ...sessionIn('Idle', { mode: 'passive' }), stopped: true }, { type: 'ManualStart' });
  t.equal(r.session.state, 'Active');
  t.notOk(r.effects.some((e) => e.type === 'connect'));
  const r2 = transition(r.session, { type: 'TimerExpired', timer: 'connectRetry' });
  t.equal(r2.session.state, 'Active');
  t.notOk(r2.effects.some((e) => e.type === 'connect'));
});

t.test('an active start connects and arms ConnectRetry', async (t) => {
  const r = transition({ ...sessionIn('Idle', { mode: 'active' }), stopped: true }, { type: 'ManualStart' });
  t.same(r.effects, [{ type: 'startTimer', timer: 'connectRetry', ms: 5000 }, { type: 'connect' }]);
  t.equal(r.session.stopped, false);
});
