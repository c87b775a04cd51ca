import t from 'tap';
import { needsSecureSocket, noAnswerHint } from './secure-socket.js';

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
