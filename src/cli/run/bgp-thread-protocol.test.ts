import t from 'tap';
import { fromWire, toWire } from './bgp-thread-protocol.js';
import type { PeerConfig } from '../../speaker/index.js';

t.test('a peer crosses to the BGP thread with its TCP-MD5 key as bytes, and back as a key object', (t) => {
  const secret = Buffer.from('s3cret');
  const peer: PeerConfig = { address: '192.0.2.1', peerAs: 64601, md5Key: { bytes: () => Buffer.from(secret) }, ttlSecurity: true };
  const wire = toWire(peer);
  t.notOk('md5Key' in wire, 'no method crosses (structured clone cannot copy it)');
  t.same(structuredClone(wire), wire, 'the wire form clones');
  const back = fromWire(structuredClone(wire));
  t.same(Buffer.from(back.md5Key!.bytes()), secret, 'the key is the same bytes');
  t.equal(back.ttlSecurity, true);
  t.equal(JSON.stringify(back).includes('s3cret'), false, 'the key object does not print the secret');
  t.same(fromWire(toWire({ address: '192.0.2.2', peerAs: 64601 })), { address: '192.0.2.2', peerAs: 64601 }, 'no key, no key');
  t.end();
});
