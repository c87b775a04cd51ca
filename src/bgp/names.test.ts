import t from 'tap';
import { afiName, attributeName, capabilityName, communityName, familyName, notificationName, parseCommunity, safiName } from './index.js';

t.test('NOTIFICATION names for every code and subcode of RFC 4271, 4486, 6608, 7313, 8538, 9384', async (t) => {
  const expected: [number, number, string][] = [
    [1, 1, 'Message Header Error / Connection Not Synchronized'], [1, 2, 'Message Header Error / Bad Message Length'], [1, 3, 'Message Header Error / Bad Message Type'],
    [2, 0, 'OPEN Message Error / Unspecific'], [2, 1, 'OPEN Message Error / Unsupported Version Number'], [2, 2, 'OPEN Message Error / Bad Peer AS'],
    [2, 3, 'OPEN Message Error / Bad BGP Identifier'], [2, 4, 'OPEN Message Error / Unsupported Optional Parameter'],
    [2, 6, 'OPEN Message Error / Unacceptable Hold Time'], [2, 7, 'OPEN Message Error / Unsupported Capability'], [2, 11, 'OPEN Message Error / Role Mismatch'],
    [3, 1, 'UPDATE Message Error / Malformed Attribute List'], [3, 2, 'UPDATE Message Error / Unrecognized Well-known Attribute'],
    [3, 3, 'UPDATE Message Error / Missing Well-known Attribute'], [3, 4, 'UPDATE Message Error / Attribute Flags Error'],
    [3, 5, 'UPDATE Message Error / Attribute Length Error'], [3, 6, 'UPDATE Message Error / Invalid ORIGIN Attribute'],
    [3, 8, 'UPDATE Message Error / Invalid NEXT_HOP Attribute'], [3, 9, 'UPDATE Message Error / Optional Attribute Error'],
    [3, 10, 'UPDATE Message Error / Invalid Network Field'], [3, 11, 'UPDATE Message Error / Malformed AS_PATH'],
    [4, 0, 'Hold Timer Expired'],
    [8, 0, 'Send Hold Timer Expired'],  // RFC 9687
    [5, 0, 'Finite State Machine Error / Unspecific'], [5, 1, 'Finite State Machine Error / Receive Unexpected Message in OpenSent State'],
    [5, 2, 'Finite State Machine Error / Receive Unexpected Message in OpenConfirm State'], [5, 3, 'Finite State Machine Error / Receive Unexpected Message in Established State'],
    [6, 1, 'Cease / Maximum Number of Prefixes Reached'], [6, 2, 'Cease / Administrative Shutdown'], [6, 3, 'Cease / Peer De-configured'],
    [6, 4, 'Cease / Administrative Reset'], [6, 5, 'Cease / Connection Rejected'], [6, 6, 'Cease / Other Configuration Change'],
    [6, 7, 'Cease / Connection Collision Resolution'], [6, 8, 'Cease / Out of Resources'], [6, 9, 'Cease / Hard Reset'], [6, 10, 'Cease / BFD Down'],
    [7, 1, 'ROUTE-REFRESH Message Error / Invalid Message Length'],
  ];
  for (const [c, s, name] of expected) t.equal(notificationName(c, s), name, `${c}/${s}`);
  t.match(notificationName(9, 1), /Unknown error code 9/, 'unknown codes are named by number');
  t.match(notificationName(6, 99), /Cease \/ Unknown subcode 99/, 'unknown subcodes too');
});

t.test('community names', async (t) => {
  t.equal(communityName(0xffff0000), 'GRACEFUL_SHUTDOWN', 'RFC 8326 65535:0');
  t.equal(communityName(0xffffff01), 'NO_EXPORT');
  t.equal(communityName(0xffffff02), 'NO_ADVERTISE');
  t.equal(communityName(0xffffff03), 'NO_EXPORT_SUBCONFED');
  t.equal(communityName(0xffff029a), 'BLACKHOLE');
  t.equal(communityName((64600 << 16) | 100), '64600:100');
  t.equal(parseCommunity('GRACEFUL_SHUTDOWN'), 0xffff0000);
  t.equal(parseCommunity('14907:5'), (14907 << 16) + 5);
  t.equal(parseCommunity('70000:1'), null, 'ASN above 65535 rejected');
  t.equal(parseCommunity('nope'), null);
});

t.test('capability, family and attribute names', async (t) => {
  t.equal(capabilityName(65), '4-octet AS Number');
  t.equal(capabilityName(128), 'Route Refresh (Cisco, pre-standard)');
  t.equal(capabilityName(73), 'FQDN');
  t.match(capabilityName(250), /Unknown capability 250/);
  t.equal(familyName(2, 1), 'IPv6 unicast');
  t.equal(familyName(1, 133), 'IPv4 flowspec');
  t.equal(afiName(99), 'AFI 99');
  t.equal(safiName(128), 'mpls-vpn');
  t.equal(attributeName(32), 'LARGE_COMMUNITY');
  t.equal(attributeName(77), 'attribute 77');
});
