import t from 'tap';
import fc from 'fast-check';
import { decideVips, type ServiceHealth, type VipInput } from './vip-policy.js';
import type { RouteSpec } from './types.js';

const spec: RouteSpec = {
  nextHopV4: '192.0.2.10', nextHopV6: '2001:db8::10', med: 0, withdrawPolicy: 'all-down',
  communities: [(64600 << 16) | 100], largeCommunities: [[64600, 1, 2]], asPathPrepend: 0,
};

const svc = (name: string, o: Partial<ServiceHealth> = {}): ServiceHealth => ({
  name, firstRoundDone: true, servers: 3, up: 3, pooled: 3, pooledUp: 3, belowThreshold: false, ...o,
});
const vip = (o: Partial<VipInput> = {}): VipInput => ({
  ip: '10.2.1.1', services: [svc('web'), svc('web-https')], settled: true, med: 10, policy: 'all-down', ...o,
});

t.test('announced with bgp-med, next hop and communities while servers are up', async (t) => {
  const { routes, decisions } = decideVips([vip()], spec);
  t.same(routes, [{
    prefix: '10.2.1.1/32', nextHop: '192.0.2.10', med: 10,
    communities: [(64600 << 16) | 100], largeCommunities: [[64600, 1, 2]], asPathPrepend: 0,
  }]);
  t.equal(decisions[0]!.announced, true);
  t.match(decisions[0]!.reason, /web, web-https serving/);
});

t.test('not announced before the first health round of every service', async (t) => {
  const { routes, decisions } = decideVips([vip({ settled: false, services: [svc('web'), svc('dns', { firstRoundDone: false })] })], spec);
  t.same(routes, []);
  t.equal(decisions[0]!.reason, 'waiting for the first health round of dns');
});

t.test('all-down: announced while one service has a pooled up server, withdrawn when none', async (t) => {
  const oneDown = vip({ services: [svc('web', { pooledUp: 0, up: 0, belowThreshold: true }), svc('web-https')] });
  t.equal(decideVips([oneDown], spec).routes.length, 1);
  const allDown = vip({ services: [svc('web', { pooledUp: 0, up: 0 }), svc('web-https', { pooledUp: 0, up: 0 })] });
  const d = decideVips([allDown], spec);
  t.same(d.routes, []);
  t.equal(d.decisions[0]!.reason, 'no pooled server is up in any service');
});

t.test('below-threshold: withdrawn once every service is below its threshold', async (t) => {
  const below = vip({ policy: 'below-threshold', services: [svc('web', { belowThreshold: true, pooledUp: 1 })] });
  const d = decideVips([below], spec);
  t.same(d.routes, []);
  t.match(d.decisions[0]!.reason, /below its depool threshold/);
  const fine = vip({ policy: 'below-threshold', services: [svc('web', { belowThreshold: true, pooledUp: 1 }), svc('b')] });
  t.equal(decideVips([fine], spec).routes.length, 1);
});

t.test('never: announced even with every server down (after the first round)', async (t) => {
  const d = decideVips([vip({ policy: 'never', services: [svc('web', { pooledUp: 0, up: 0, belowThreshold: true })] })], spec);
  t.equal(d.routes.length, 1);
  t.equal(d.decisions[0]!.reason.startsWith('always announced'), true);
});

t.test('bgp-degraded-med while any service is below threshold', async (t) => {
  const d = decideVips([vip({ degradedMed: 500, services: [svc('web', { belowThreshold: true, pooledUp: 1 }), svc('b')] })], spec);
  t.equal(d.routes[0]!.med, 500);
  t.equal(d.decisions[0]!.degraded, true);
  const n = decideVips([vip({ degradedMed: 500 })], spec);
  t.equal(n.routes[0]!.med, 10);
});

t.test('IPv6 VIPs get /128 and the IPv6 next hop; a missing next hop is a reason, not a crash', async (t) => {
  const d = decideVips([vip({ ip: '2001:db8:0::1' })], spec);
  t.same(d.routes.map((r) => [r.prefix, r.nextHop]), [['2001:db8::1/128', '2001:db8::10']]);
  const none = decideVips([vip({ ip: '2001:db8::1' })], { ...spec, nextHopV6: undefined });
  t.same(none.routes, []);
  t.match(none.decisions[0]!.reason, /bgp-nexthop-ipv6/);
});

t.test('property: announced iff settled and (policy never or some service serving)', async (t) => {
  const svcArb = fc.record({
    name: fc.constantFrom('a', 'b', 'c'), firstRoundDone: fc.boolean(), servers: fc.nat(5), up: fc.nat(5),
    pooled: fc.nat(5), pooledUp: fc.nat(3), belowThreshold: fc.boolean(),
  });
  fc.assert(fc.property(
    fc.array(svcArb, { minLength: 1, maxLength: 3 }), fc.boolean(),
    fc.constantFrom('all-down' as const, 'below-threshold' as const, 'never' as const),
    (services, settled, policy) => {
      const d = decideVips([vip({ services, settled, policy })], spec);
      const expect = settled && (policy === 'never' || services.some((s) =>
        s.pooledUp > 0 && (policy === 'all-down' || !s.belowThreshold)));
      return d.decisions[0]!.announced === expect && d.routes.length === (expect ? 1 : 0);
    },
  ), { numRuns: 1000 });
  t.pass('1000 random VIP states');
});

t.test('withheld (this host would drop it): not announced, whatever the health, with the reason', async (t) => {
  const d = decideVips([vip({ withheld: '10.2.1.1 is not configured on this host' }), vip({ ip: '10.2.1.2' })], spec);
  t.same(d.routes.map((r) => r.prefix), ['10.2.1.2/32'], 'the other VIP stays announced');
  t.match(d.decisions[0], { prefix: '10.2.1.1/32', announced: false, med: null, reason: 'withheld: 10.2.1.1 is not configured on this host' });
  const never = decideVips([vip({ policy: 'never', withheld: 'IPVS has no service 10.2.1.1:80/tcp' })], spec);
  t.same(never.routes, [], 'even with bgp-withdraw-policy = never');
});
