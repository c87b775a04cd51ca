import t from 'tap';
import { buildOpen, checkOpen, decodeMessage, effectiveAs, encodeMessage, negotiate, openCapabilities, unsupportedCapability } from './index.js';
import type { Capability, OpenMessage } from './types.js';

const C = { fourOctetAs: true, extendedMessage: false };

t.test('buildOpen puts AS_TRANS in My AS for a 4-octet AS and adds capability 65', async (t) => {
  const o = buildOpen({ asn: 4200000001, holdTime: 90, bgpId: '10.0.0.1', capabilities: [{ code: 1, name: 'multiprotocol', afi: 1, safi: 1 }] });
  t.equal(o.myAs, 23456);
  const r = decodeMessage(encodeMessage(o, C), C);
  t.ok(r.ok && r.value.type === 'OPEN');
  if (r.ok && r.value.type === 'OPEN') {
    t.equal(effectiveAs(r.value), 4200000001, 'effective AS from capability 65');
    t.same(openCapabilities(r.value).map((c) => c.code), [1, 65]);
  }
  t.equal(buildOpen({ asn: 64600, holdTime: 90, bgpId: '10.0.0.1', capabilities: [] }).myAs, 64600);
  t.equal(effectiveAs({ type: 'OPEN', version: 4, myAs: 65001, holdTime: 90, bgpId: '1.1.1.1', params: [] }), 65001, 'no capability 65: My AS');
});

t.test('checkOpen applies the RFC 4271 §6.2 rules', async (t) => {
  const base = buildOpen({ asn: 64600, holdTime: 90, bgpId: '10.0.0.1', capabilities: [] });
  t.equal(checkOpen(base, { peerAs: 64600 }), null, 'acceptable');
  t.match(checkOpen({ ...base, holdTime: 2 }), { code: 2, subcode: 6, action: 'session-reset' }, 'hold time 2');
  t.match(checkOpen({ ...base, holdTime: 1 }), { code: 2, subcode: 6 }, 'hold time 1');
  t.equal(checkOpen({ ...base, holdTime: 0 }), null, 'hold time 0 is allowed');
  t.match(checkOpen({ ...base, bgpId: '0.0.0.0' }), { code: 2, subcode: 3 }, 'zero identifier');
  t.match(checkOpen(base, { peerAs: 64601 }), { code: 2, subcode: 2, message: /64600 is not the expected 64601/ }, 'wrong peer AS');
  t.match(checkOpen(base, { localBgpId: '10.0.0.1', localAs: 64600 }), { code: 2, subcode: 3 }, 'iBGP peer with our identifier');
  t.equal(checkOpen(base, { localBgpId: '10.0.0.1', localAs: 65000 }), null, 'eBGP peers may share an identifier (RFC 6286)');
  const withParam: OpenMessage = { ...base, params: [...base.params, { type: 1, value: new Uint8Array([1]) }] };
  t.match(checkOpen(withParam), { code: 2, subcode: 4 }, 'unknown optional parameter type');
});

t.test('negotiate derives the session context from both OPENs', async (t) => {
  const caps = (...c: Capability[]): Capability[] => c;
  const mine = buildOpen({ asn: 64600, holdTime: 90, bgpId: '10.0.0.1', capabilities: caps(
    { code: 6, name: 'extended-message' }, { code: 69, name: 'add-path', families: [{ afi: 1, safi: 1, sendReceive: 1 }, { afi: 2, safi: 1, sendReceive: 3 }] }) });
  const theirs = buildOpen({ asn: 64601, holdTime: 90, bgpId: '10.0.0.2', capabilities: caps(
    { code: 69, name: 'add-path', families: [{ afi: 1, safi: 1, sendReceive: 2 }, { afi: 2, safi: 1, sendReceive: 1 }] }) });
  const ctx = negotiate(mine, theirs);
  t.equal(ctx.fourOctetAs, true, 'both sent 65');
  t.equal(ctx.extendedMessage, false, 'only we sent 6');
  t.same(ctx.addPathReceive, [{ afi: 1, safi: 1 }], 'we receive IPv4 paths (we 1, they 2)');
  t.same(ctx.addPathSend, [{ afi: 2, safi: 1 }], 'we send IPv6 paths (we 3, they 1)');
  const old: OpenMessage = { type: 'OPEN', version: 4, myAs: 65001, holdTime: 90, bgpId: '1.1.1.1', params: [] };
  t.equal(negotiate(mine, old).fourOctetAs, false, 'a 2-octet peer means 2-octet AS_PATHs');
});

t.test('an OPEN too long for one-octet parameter lengths needs RFC 9072', async (t) => {
  const many: Capability[] = Array.from({ length: 70 }, (_, i) => ({ code: 1, name: 'multiprotocol', afi: 1, safi: i }));
  const o = buildOpen({ asn: 64600, holdTime: 90, bgpId: '10.0.0.1', capabilities: many });
  t.throws(() => encodeMessage(o, C), /extendedParams/);
  const r = decodeMessage(encodeMessage({ ...o, extendedParams: true }, C), C);
  t.ok(r.ok && r.value.type === 'OPEN' && openCapabilities(r.value).length === 71, 'with extendedParams it round-trips');
});

t.test('Unsupported Capability carries the refused capabilities as TLVs (RFC 5492 §3)', async (t) => {
  const e = unsupportedCapability([{ code: 1, name: 'multiprotocol', afi: 2, safi: 1 }, { code: 6, name: 'extended-message' }]);
  t.match(e, { code: 2, subcode: 7, action: 'session-reset' });
  t.same([...e.data], [1, 4, 0, 2, 0, 1, 6, 0]);
});
