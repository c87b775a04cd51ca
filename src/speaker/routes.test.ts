import t from 'tap';
import { checkRoutes, withCommunities } from './routes.js';
import { checkPeer } from './check-config.js';

t.test('withCommunities appends a peer\'s communities to every route, without duplicates', async (t) => {
  const { routes } = checkRoutes([
    { prefix: '10.2.1.1/32', communities: [1, 2] },
    { prefix: '2001:db8::1/128' },
  ]);
  t.equal(withCommunities(routes, undefined), routes, 'no extra: the same routes');
  t.equal(withCommunities(routes, []), routes);
  const out = withCommunities(routes, [2, 0xffff0000]);
  t.same(out.map((r) => r.communities), [[1, 2, 0xffff0000], [2, 0xffff0000]]);
  t.same(routes[0]!.communities, [1, 2], 'the declared routes are not changed');
});

t.test('a peer community must be a 32-bit value', async (t) => {
  t.same(checkPeer({ address: '10.255.0.2', communities: [0xffff0000] }, 'peer'), []);
  t.match(checkPeer({ address: '10.255.0.2', communities: [2 ** 32] }, 'peer').join(), /community is not a 32-bit value/);
});
