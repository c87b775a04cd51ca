import t from 'tap';
import { InboundWatch, needsSecureSocket, noAnswerHint } from './secure-socket.js';
import { FakeClock } from '../../test/support/fake-clock.js';

const key = { bytes: () => Buffer.from('k') };

t.test('only peers with TCP-MD5 or GTSM get the addon\'s sockets', async (t) => {
  t.equal(needsSecureSocket({}), false, 'sockets made as before');
  t.equal(needsSecureSocket({ ttlSecurity: false }), false);
  t.equal(needsSecureSocket({ md5Key: key }), true);
  t.equal(needsSecureSocket({ ttlSecurity: true }), true);
});

t.test('the no-answer hint names what to check', async (t) => {
  t.equal(noAnswerHint({}, 'connect'), null, 'nothing configured: no hint');
  t.equal(noAnswerHint({ md5Key: key }, 'connect'), 'no answer from the peer; check the MD5 password on both sides');
  t.equal(noAnswerHint({ md5Key: key }, 'open'), null, 'connected: the keys matched');
  t.equal(noAnswerHint({ ttlSecurity: true }, 'open'), 'no answer from the peer; check that TTL security (GTSM) is on on both sides and the peer is directly connected');
  t.equal(noAnswerHint({ md5Key: key, ttlSecurity: true }, 'connect'),
    'no answer from the peer; check the MD5 password on both sides; check that TTL security (GTSM) is on on both sides and the peer is directly connected');
});

t.test('a passive peer that never connects: the hint says no connection', async (t) => {
  t.equal(noAnswerHint({ md5Key: key }, 'accept'), 'no connection from the peer; check the MD5 password on both sides');
  t.equal(noAnswerHint({ ttlSecurity: true }, 'accept'), 'no connection from the peer; check that TTL security (GTSM) is on on both sides and the peer is directly connected');
  t.equal(noAnswerHint({}, 'accept'), null);
});

t.test('InboundWatch fires once the wait has lasted the whole time, never after it ended', async (t) => {
  const clock = new FakeClock();
  let fired = 0;
  const w = new InboundWatch(clock, 5000, () => { fired++; });
  w.waiting(true);
  clock.advance(4000);
  w.waiting(true); // still waiting: the timer is not restarted
  clock.advance(1000);
  t.equal(fired, 1, 'fired after 5 s of waiting');
  w.waiting(true);
  clock.advance(3000);
  w.waiting(false); // a connection came
  clock.advance(10_000);
  t.equal(fired, 1, 'not after the wait ended');
});
