import t from 'tap';
import { AdjRibOut, endOfRib } from './adj-rib-out.js';
import { checkRoutes, type Route } from './routes.js';
import { AdjRibIn } from './adj-rib-in.js';
import { encodeMessage } from '../bgp/index.js';

const opts = { localAs: 64600, families: ['ipv4', 'ipv6'] as ('ipv4' | 'ipv6')[], nextHop: { ipv4: '192.0.2.10', ipv6: '2001:db8::10' } };
const routes = (rs: Route[]) => {
  const c = checkRoutes(rs);
  if (c.errors.length) throw new Error(c.errors.join('; '));
  return c.routes;
};

t.test('first plan announces everything, packed by identical attributes', async (t) => {
  const rib = new AdjRibOut(opts);
  const p = rib.plan(routes([
    { prefix: '10.2.1.1/32', med: 100 }, { prefix: '10.2.1.2/32', med: 100 }, { prefix: '10.2.1.3/32', med: 200 },
  ]));
  t.equal(p.updates.length, 2);
  t.same(p.updates[0]!.nlri, ['10.2.1.1/32', '10.2.1.2/32']);
  t.equal(p.updates[0]!.attributes.med, 100);
  t.equal(p.updates[0]!.attributes.nextHop, '192.0.2.10');
  t.same(p.updates[0]!.attributes.asPath, [{ type: 'AS_SEQUENCE', asns: [64600] }]);
  t.equal(p.updates[0]!.attributes.origin, 'IGP');
  t.same(p.updates[1]!.nlri, ['10.2.1.3/32']);
  t.equal(rib.size, 3);
});

t.test('later plans send only the difference, withdrawals first', async (t) => {
  const rib = new AdjRibOut(opts);
  rib.plan(routes([{ prefix: '10.2.1.1/32', med: 100 }, { prefix: '10.2.1.2/32', med: 100 }]));
  const same = rib.plan(routes([{ prefix: '10.2.1.1/32', med: 100 }, { prefix: '10.2.1.2/32', med: 100 }]));
  t.same(same.updates, [], 'nothing changed, nothing sent');
  const p = rib.plan(routes([{ prefix: '10.2.1.1/32', med: 110 }, { prefix: '10.2.1.9/32', med: 100 }]));
  t.same(p.withdrawn, ['10.2.1.2/32']);
  t.same(p.updates[0]!.withdrawn, ['10.2.1.2/32']);
  t.same(p.updates[0]!.nlri, []);
  t.same(p.announced.sort(), ['10.2.1.1/32', '10.2.1.9/32']);
});

t.test('IPv6 goes in MP_REACH / MP_UNREACH with the IPv6 next hop', async (t) => {
  const rib = new AdjRibOut(opts);
  const p = rib.plan(routes([{ prefix: '2620:0:860:1:0:0:0:10/128', med: 100, communities: [64600 * 65536 + 1] }]));
  const u = p.updates[0]!;
  t.same(u.nlri, []);
  t.same(u.attributes.mpReach, { afi: 2, safi: 1, nextHops: ['2001:db8::10'], nlri: ['2620:0:860:1::10/128'] });
  t.equal(u.attributes.nextHop, undefined);
  t.same(u.attributes.communities, [64600 * 65536 + 1]);
  const w = rib.plan([]);
  t.same(w.updates[0]!.attributes.mpUnreach, { afi: 2, safi: 1, withdrawn: ['2620:0:860:1::10/128'] });
});

t.test('families not negotiated are not sent and reported', async (t) => {
  const rib = new AdjRibOut({ ...opts, families: ['ipv4'] });
  const p = rib.plan(routes([{ prefix: '10.2.1.1/32' }, { prefix: '2001:db8::1/128' }]));
  t.same(p.unsendable, ['2001:db8::1/128']);
  t.equal(rib.size, 1);
});

t.test('the prefix limit refuses the excess and keeps what was already sent', async (t) => {
  const rib = new AdjRibOut({ ...opts, maxPrefixes: 10 });
  const first = Array.from({ length: 10 }, (_, i) => ({ prefix: `10.2.1.${i + 1}/32` }));
  t.equal(rib.plan(routes(first)).refused.length, 0);
  const p = rib.plan(routes([{ prefix: '10.2.1.99/32' }, ...first]));
  t.same(p.refused, ['10.2.1.99/32'], 'the 11th is refused, not one already announced');
  t.same(p.updates, []);
  t.equal(rib.size, 10);
  const freed = rib.plan(routes([{ prefix: '10.2.1.99/32' }, ...first.slice(1)]));
  t.same(freed.withdrawn, ['10.2.1.1/32']);
  t.same(freed.announced, ['10.2.1.99/32'], 'a freed slot takes the refused one');
});

t.test('large tables split into UPDATEs that fit 4096 octets', async (t) => {
  const rib = new AdjRibOut(opts);
  const many = Array.from({ length: 3000 }, (_, i) => ({ prefix: `10.${(i >> 8) & 255}.${i & 255}.1/32`, med: 5 }));
  const p = rib.plan(routes(many));
  t.ok(p.updates.length >= 4);
  t.equal(p.updates.reduce((n, u) => n + u.nlri.length, 0), 3000);
  for (const u of p.updates) t.ok(23 + 27 + u.nlri.length * 5 <= 4096, `${u.nlri.length} prefixes fit`);
  const v6 = rib.plan(routes([...many, ...Array.from({ length: 600 }, (_, i) => ({ prefix: `2620:0:860::${(i + 1).toString(16)}/128` }))]));
  t.equal(v6.announced.length, 600, 'only the new IPv6 routes are sent');
  for (const u of v6.updates.filter((x) => x.attributes.mpReach)) t.ok(u.attributes.mpReach!.nlri.length * 17 + 23 + 38 <= 4096, `${u.attributes.mpReach!.nlri.length} IPv6 prefixes fit`);
  for (const u of [...p.updates, ...v6.updates]) t.ok(encodeMessage(u, { fourOctetAs: true, extendedMessage: false }).length <= 4096, 'encodes within 4096 octets');
  t.equal(rib.withdrawAll().reduce((n, u) => n + u.withdrawn.length + (u.attributes.mpUnreach?.withdrawn.length ?? 0), 0), 3600);
  t.equal(rib.size, 0);
});

t.test('full() re-sends the whole table for a ROUTE-REFRESH; End-of-RIB per family', async (t) => {
  const rib = new AdjRibOut(opts);
  rib.plan(routes([{ prefix: '10.2.1.1/32', med: 1 }, { prefix: '10.2.1.2/32', med: 2 }, { prefix: '10.2.1.3/32', med: 1 }]));
  t.same(rib.full().map((u) => u.nlri), [['10.2.1.1/32', '10.2.1.3/32'], ['10.2.1.2/32']]);
  t.same(endOfRib('ipv4'), { type: 'UPDATE', withdrawn: [], attributes: {}, nlri: [] });
  t.same(endOfRib('ipv6').attributes.mpUnreach, { afi: 2, safi: 1, withdrawn: [] });
});

t.test('AS path prepend and large communities', async (t) => {
  const rib = new AdjRibOut(opts);
  const p = rib.plan(routes([{ prefix: '10.2.1.1/32', asPathPrepend: 2, largeCommunities: [[64600, 1, 2]] }]));
  t.same(p.updates[0]!.attributes.asPath, [{ type: 'AS_SEQUENCE', asns: [64600, 64600, 64600] }]);
  t.same(p.updates[0]!.attributes.largeCommunities, [[64600, 1, 2]]);
});

t.test('bad routes are named by position and prefix', async (t) => {
  const c = checkRoutes([
    { prefix: '10.2.1.1/33' }, { prefix: 'nonsense' }, { prefix: '10.2.1.1/32', nextHop: '2001:db8::1' },
    { prefix: '10.2.1.2/32', med: -1 }, { prefix: '10.2.1.3/32' }, { prefix: '10.2.1.3/32' },
  ]);
  t.equal(c.routes.length, 1);
  t.match(c.errors, [/route 1 \(10\.2\.1\.1\/33\)/, /route 2 \(nonsense\): 'nonsense' is not an IP prefix/,
    /route 3 .*not ipv4/, /route 4 .*MED/, /route 6 .*declared twice/]);
});

t.test('Adj-RIB-In counts what is received and flags the inbound limit', async (t) => {
  const rin = new AdjRibIn(3);
  t.same(rin.apply({ type: 'UPDATE', withdrawn: [], attributes: {}, nlri: ['10.0.0.1/32', '10.0.0.2/32'] }), { announced: 2, withdrawn: 0, total: 2, discarded: 0 });
  t.equal(rin.apply({ type: 'UPDATE', withdrawn: ['10.0.0.1/32'], attributes: {}, nlri: ['10.0.0.2/32'] }).total, 1);
  const r = rin.apply({ type: 'UPDATE', withdrawn: [], attributes: {}, nlri: ['10.0.0.3/32', '10.0.0.4/32', '10.0.0.5/32'] });
  t.same(r.overLimit, { afi: 1, safi: 1 });
  rin.apply({ type: 'UPDATE', withdrawn: [], attributes: { mpReach: { afi: 2, safi: 1, nextHops: ['::1'], nlri: ['2001:db8::/64'] } }, nlri: [] });
  t.equal(rin.size, 5);
});
