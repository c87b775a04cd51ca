/** Test helper: fast-check arbitraries for valid BGP messages (the codec's property tests). */
import fc from 'fast-check';
import ipaddr from 'ipaddr.js';
import type {
  AsPathSegment, BgpMessage, Capability, OpenMessage, PathAttributes, UpdateMessage,
} from '../../src/bgp/types.js';

const u32 = fc.nat({ max: 0xffffffff });
const u16 = fc.nat({ max: 0xffff });

export const ipv4 = fc.tuple(fc.integer({ min: 1, max: 223 }), fc.nat(255), fc.nat(255), fc.integer({ min: 1, max: 254 }))
  .map((o) => o.join('.'));

function masked(bytes: number[], bits: number): number[] {
  return bytes.map((b, i) => (i * 8 >= bits ? 0 : i * 8 + 8 <= bits ? b : b & (0xff << (8 - (bits - i * 8)))));
}

export const prefix4 = fc.tuple(fc.array(fc.nat(255), { minLength: 4, maxLength: 4 }), fc.nat(32))
  .map(([bytes, bits]) => `${masked(bytes, bits).join('.')}/${bits}`);

export const prefix6 = fc.tuple(fc.array(fc.nat(255), { minLength: 16, maxLength: 16 }), fc.nat(128))
  .map(([bytes, bits]) => `${ipaddr.fromByteArray(masked(bytes, bits)).toString()}/${bits}`);

export const ipv6 = fc.array(fc.nat(255), { minLength: 16, maxLength: 16 }).map((b) => ipaddr.fromByteArray(b).toString());

export function asPath(maxAs = 0xffffffff): fc.Arbitrary<AsPathSegment[]> {
  const seg = fc.record({
    type: fc.constantFrom('AS_SEQUENCE' as const, 'AS_SET' as const),
    asns: fc.array(fc.nat({ max: maxAs }), { minLength: 1, maxLength: 8 }),
  });
  return fc.array(seg, { maxLength: 3 });
}

const KNOWN = new Set([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 14, 15, 16, 17, 18, 32]);
const unknownType = fc.integer({ min: 11, max: 254 }).filter((t) => !KNOWN.has(t));

/** Attributes without the mandatory three and without MP ones; unknowns are optional transitive partial (as re-sent). */
export const otherAttributes: fc.Arbitrary<PathAttributes> = fc.record({
  med: u32,
  localPref: u32,
  atomicAggregate: fc.constant(true),
  aggregator: fc.record({ asn: u32, address: ipv4 }),
  communities: fc.array(u32, { minLength: 1, maxLength: 6 }),
  originatorId: ipv4,
  clusterList: fc.array(ipv4, { minLength: 1, maxLength: 3 }),
  extendedCommunities: fc.array(fc.uint8Array({ minLength: 8, maxLength: 8 }), { minLength: 1, maxLength: 3 }),
  largeCommunities: fc.array(fc.tuple(u32, u32, u32), { minLength: 1, maxLength: 3 }),
  unknown: fc.uniqueArray(fc.record({ flags: fc.constant(0xe0), typeCode: unknownType, value: fc.uint8Array({ maxLength: 20 }) }),
    { minLength: 1, maxLength: 2, selector: (u) => u.typeCode }).map((list) => [...list].sort((a, b) => a.typeCode - b.typeCode)),
}, { requiredKeys: [] });

const origin = fc.constantFrom('IGP' as const, 'EGP' as const, 'INCOMPLETE' as const);

/** A valid UPDATE (4-octet ASes): IPv4 withdrawals/NLRI and optionally IPv6 in MP attributes. */
export const update: fc.Arbitrary<UpdateMessage> = fc.record({
  withdrawn: fc.array(prefix4, { maxLength: 10 }),
  nlri: fc.array(prefix4, { maxLength: 10 }),
  v6: fc.option(fc.record({ nextHops: fc.oneof(fc.tuple(ipv6), fc.tuple(ipv6, ipv6)), nlri: fc.array(prefix6, { minLength: 1, maxLength: 5 }) })),
  v6w: fc.option(fc.array(prefix6, { maxLength: 5 })),
  origin,
  asPath: asPath(),
  nextHop: ipv4,
  other: otherAttributes,
}).map((r) => {
  const reach = r.nlri.length > 0 || r.v6 !== null;
  const attributes: PathAttributes = { ...r.other };
  if (reach) {
    attributes.origin = r.origin;
    attributes.asPath = r.asPath;
    if (r.nlri.length > 0) attributes.nextHop = r.nextHop;
  }
  if (r.v6) attributes.mpReach = { afi: 2, safi: 1, nextHops: [...r.v6.nextHops], nlri: r.v6.nlri };
  if (r.v6w) attributes.mpUnreach = { afi: 2, safi: 1, withdrawn: r.v6w };
  return { type: 'UPDATE' as const, withdrawn: r.withdrawn, attributes: reach || r.v6w ? attributes : {}, nlri: r.nlri };
});

const capability: fc.Arbitrary<Capability> = fc.oneof(
  fc.record({ code: fc.constant(1 as const), name: fc.constant('multiprotocol' as const), afi: u16, safi: fc.nat(255) }),
  fc.record({ code: fc.constantFrom(2 as const, 128 as const), name: fc.constant('route-refresh' as const) }),
  fc.record({ code: fc.constant(6 as const), name: fc.constant('extended-message' as const) }),
  fc.record({ code: fc.constant(9 as const), name: fc.constant('bgp-role' as const), role: fc.nat(255) }),
  fc.record({ code: fc.constant(65 as const), name: fc.constant('four-octet-as' as const), asn: u32 }),
  fc.record({ code: fc.constant(70 as const), name: fc.constant('enhanced-route-refresh' as const) }),
  fc.record({
    code: fc.constant(64 as const), name: fc.constant('graceful-restart' as const), restartFlags: fc.nat(15), restartTime: fc.nat(4095),
    families: fc.array(fc.record({ afi: u16, safi: fc.nat(255), flags: fc.nat(255) }), { maxLength: 3 }),
  }),
  fc.record({ code: fc.constant(69 as const), name: fc.constant('add-path' as const), families: fc.array(fc.record({ afi: u16, safi: fc.nat(255), sendReceive: fc.nat(3) }), { maxLength: 3 }) }),
  fc.record({ code: fc.constant(5 as const), name: fc.constant('extended-next-hop' as const), entries: fc.array(fc.record({ afi: u16, safi: u16, nextHopAfi: u16 }), { maxLength: 3 }) }),
  fc.record({
    code: fc.constant(71 as const), name: fc.constant('long-lived-graceful-restart' as const),
    families: fc.array(fc.record({ afi: u16, safi: fc.nat(255), flags: fc.nat(255), staleTime: fc.nat(0xffffff) }), { maxLength: 3 }),
  }),
  fc.record({ code: fc.constant(73 as const), name: fc.constant('fqdn' as const), hostname: fc.stringMatching(/^[a-z0-9.-]{0,20}$/), domain: fc.stringMatching(/^[a-z0-9.-]{0,20}$/) }),
  fc.record({ code: fc.constantFrom(3, 7, 8, 66, 200, 255), name: fc.constant('unknown' as const), value: fc.uint8Array({ maxLength: 10 }) }),
);

export const open: fc.Arbitrary<OpenMessage> = fc.record({
  type: fc.constant('OPEN' as const), version: fc.constant(4), myAs: u16, holdTime: u16, bgpId: ipv4,
  params: fc.array(fc.record({ type: fc.constant(2 as const), capabilities: fc.array(capability, { maxLength: 6 }) }), { maxLength: 2 }),
});

/** Any valid message, for a 4-octet-AS session without extended message. */
export const message: fc.Arbitrary<BgpMessage> = fc.oneof(
  update,
  open,
  fc.record({ type: fc.constant('NOTIFICATION' as const), code: fc.integer({ min: 1, max: 7 }), subcode: fc.nat(255), data: fc.uint8Array({ maxLength: 40 }) }),
  fc.constant({ type: 'KEEPALIVE' as const }),
  fc.record({ type: fc.constant('ROUTE-REFRESH' as const), afi: u16, subtype: fc.nat(2), safi: fc.nat(255) }),
);
