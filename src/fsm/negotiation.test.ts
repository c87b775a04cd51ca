import t from 'tap';
import { buildOpen, keepLocallyInitiated, negotiate, AS_TRANS } from './negotiation.js';
import {
  maxPrefixesReached, readShutdownCommunication, adminShutdown, shutdownCommunication, unsupportedCapabilityCodes,
} from './notifications.js';
import { peerOpen, sessionIn } from '../../test/support/fsm-sessions.js';

const code = (r: ReturnType<typeof negotiate>): string => (r.ok ? 'ok' : `${r.error.code}/${r.error.subcode}`);

t.test('the lower hold time wins and keepalive is a third of it', async (t) => {
  const r = negotiate(sessionIn('OpenSent'), peerOpen({ holdTime: 30 }));
  t.ok(r.ok);
  if (r.ok) { t.equal(r.value.holdTime, 30); t.equal(r.value.keepalive, 10); }
  const r2 = negotiate(sessionIn('OpenSent', { holdTime: 9 }), peerOpen({ holdTime: 30 }));
  if (r2.ok) { t.equal(r2.value.holdTime, 9); t.equal(r2.value.keepalive, 3); } else t.fail('rejected');
});

t.test('a configured keepalive is used when below hold/3', async (t) => {
  const r = negotiate(sessionIn('OpenSent', { keepalive: 4 }), peerOpen({ holdTime: 30 }));
  if (r.ok) t.equal(r.value.keepalive, 4); else t.fail('rejected');
});

t.test('hold time 0 is accepted and means no keepalives', async (t) => {
  const r = negotiate(sessionIn('OpenSent'), peerOpen({ holdTime: 0 }));
  if (r.ok) { t.equal(r.value.holdTime, 0); t.equal(r.value.keepalive, 0); } else t.fail('rejected');
});

t.test('OPEN errors map to the RFC 4271 §6.2 subcodes', async (t) => {
  const s = sessionIn('OpenSent');
  t.equal(code(negotiate(s, peerOpen({ holdTime: 1 }))), '2/6');
  t.equal(code(negotiate(s, peerOpen({ holdTime: 2 }))), '2/6');
  t.equal(code(negotiate(s, peerOpen({ version: 3 }))), '2/1');
  t.equal(code(negotiate(s, peerOpen({ bgpId: '0.0.0.0' }))), '2/3');
  t.equal(code(negotiate(s, peerOpen({ params: [{ type: 9, value: new Uint8Array([1]) }] }))), '2/4');
  const bad = negotiate(s, peerOpen({ myAs: 65000, params: [] }));
  t.equal(code(bad), '2/2');
  if (!bad.ok) t.same([...bad.error.data], [0xfd, 0xe8], 'data carries the AS the peer claimed');
});

t.test('the peer AS comes from the four-octet capability', async (t) => {
  const s = sessionIn('OpenSent', { peerAs: 4200000000 });
  const open = peerOpen({ myAs: AS_TRANS, params: [{ type: 2, capabilities: [{ code: 65, name: 'four-octet-as', asn: 4200000000 }] }] });
  const r = negotiate(s, open);
  t.equal(code(r), 'ok');
  if (r.ok) t.ok(r.value.fourOctetAs);
  const wrong = negotiate(sessionIn('OpenSent', { peerAs: 4200000001 }), open);
  t.equal(code(wrong), '2/2');
  if (!wrong.ok) t.same([...wrong.error.data], [0xfa, 0x56, 0xea, 0x00]);
});

t.test('a four-octet local AS puts AS_TRANS in My AS and the real one in capability 65', async (t) => {
  const open = buildOpen(sessionIn('Idle', { localAs: 4200000000 }));
  t.equal(open.myAs, AS_TRANS);
  const caps = open.params.flatMap((p) => ('capabilities' in p ? p.capabilities : []));
  t.ok(caps.some((c) => c.name === 'four-octet-as' && c.asn === 4200000000));
});

t.test('only families both sides offered are used; none offered means IPv4 unicast', async (t) => {
  const s = sessionIn('OpenSent', { families: [{ afi: 1, safi: 1 }, { afi: 2, safi: 1 }] });
  const r = negotiate(s, peerOpen());
  if (r.ok) t.same(r.value.families, [{ afi: 1, safi: 1 }]); else t.fail('rejected');
  const r2 = negotiate(s, peerOpen({ params: [] }));
  if (r2.ok) { t.same(r2.value.families, [{ afi: 1, safi: 1 }]); t.notOk(r2.value.routeRefresh); } else t.fail('rejected');
});

t.test('our OPEN offers multiprotocol, route refresh, enhanced route refresh, 4-octet AS and graceful restart', async (t) => {
  const open = buildOpen(sessionIn('Idle', { gracefulRestartTime: 120, families: [{ afi: 2, safi: 1 }] }));
  const caps = open.params.flatMap((p) => ('capabilities' in p ? p.capabilities : []));
  t.same(caps.map((c) => c.code).sort((a, b) => a - b), [1, 2, 64, 65, 70]);
  t.equal(open.holdTime, 90);
  t.equal(open.bgpId, '10.255.0.1');
});

t.test('collision: the higher BGP identifier keeps the connection it initiated', async (t) => {
  t.equal(keepLocallyInitiated('10.0.0.2', '10.0.0.1', 1, 2), true);
  t.equal(keepLocallyInitiated('10.0.0.1', '10.0.0.2', 1, 2), false);
  t.equal(keepLocallyInitiated('10.0.0.1', '10.0.0.1', 3, 2), true, 'equal ids: larger AS wins (RFC 6286)');
  t.equal(keepLocallyInitiated('9.255.255.255', '10.0.0.0', 1, 1), false, 'compared as numbers, not text');
});

t.test('RFC 9003 shutdown communication: length-prefixed UTF-8, cut at 255 bytes on a character', async (t) => {
  const d = shutdownCommunication('maintenance: lvs1001 going down');
  t.equal(d[0], 31);
  t.equal(readShutdownCommunication(adminShutdown('maintenance: lvs1001 going down')), 'maintenance: lvs1001 going down');
  const long = shutdownCommunication('é'.repeat(200));
  t.ok((long[0] ?? 0) <= 255);
  t.equal((long[0] ?? 0) % 2, 0, 'no half character');
  t.equal(readShutdownCommunication(adminShutdown()), null);
});

t.test('RFC 4486 max-prefix data and 2/7 data parsing', async (t) => {
  t.same([...maxPrefixesReached({ afi: 1, safi: 1 }, 1000).data], [0, 1, 1, 0, 0, 3, 0xe8]);
  t.same(unsupportedCapabilityCodes(new Uint8Array([65, 4, 0, 0, 0xfc, 0x58, 70, 0])), [65, 70]);
  t.same(unsupportedCapabilityCodes(new Uint8Array([])), []);
});
