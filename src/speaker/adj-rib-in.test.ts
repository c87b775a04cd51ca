import t from 'tap';
import type { UpdateMessage } from '../bgp/types.js';
import { AdjRibIn, DEFAULT_INBOUND_LIMIT } from './adj-rib-in.js';

// Issue 11 §9: received routes are counted, not kept; past the limit they are discarded and counted.

const v4 = (nlri: string[], withdrawn: string[] = []): UpdateMessage => ({ type: 'UPDATE', withdrawn, attributes: {}, nlri });
const v6 = (nlri: string[]): UpdateMessage => ({ type: 'UPDATE', withdrawn: [], nlri: [], attributes: { mpReach: { afi: 2, safi: 1, nextHops: ['2001:db8::1'], nlri } } });
const v6w = (withdrawn: string[]): UpdateMessage => ({ type: 'UPDATE', withdrawn: [], nlri: [], attributes: { mpUnreach: { afi: 2, safi: 1, withdrawn } } });
const many = (n: number, from = 0): string[] => Array.from({ length: n }, (_, i) => `11.${((i + from) >> 16) & 255}.${((i + from) >> 8) & 255}.${(i + from) & 255}/32`);

t.test('the default inbound limit is 10,000 per family', async (t) => {
  t.equal(DEFAULT_INBOUND_LIMIT, 10_000);
});

t.test('past the limit: discarded, counted, flagged once per UPDATE with the family', async (t) => {
  const rin = new AdjRibIn(100);
  const r1 = rin.apply(v4(many(100)));
  t.same([r1.total, r1.discarded, r1.overLimit], [100, 0, undefined], 'exactly the limit is within it');
  const r2 = rin.apply(v4(many(50, 100)));
  t.same([r2.total, r2.discarded, r2.overLimit], [150, 50, { afi: 1, safi: 1 }]);
  t.equal(rin.beyondLimit, 50);
  t.equal(rin.discardedTotal, 50);
  const r3 = rin.apply(v4(many(10)));
  t.same([r3.total, r3.discarded, r3.overLimit], [150, 0, undefined], 're-announcing kept prefixes is an implicit replace, not a new route');
});

t.test('withdrawals bring the count back; the limit state clears when the peer withdrew the excess', async (t) => {
  const rin = new AdjRibIn(10);
  rin.apply(v4(many(25)));
  t.same([rin.size, rin.beyondLimit], [25, 15]);
  rin.apply(v4([], many(25)));
  t.same([rin.size, rin.beyondLimit], [0, 0], 'every prefix withdrawn: nothing counted, nothing beyond');
  t.equal(rin.discardedTotal, 15, 'the discard total stays for the session');
  rin.apply(v4(many(5)));
  t.equal(rin.apply(v4([], ['99.0.0.0/8'])).withdrawn, 0, 'withdrawing a never-announced prefix within the limit counts nothing');
});

t.test('IPv6 has its own limit', async (t) => {
  const rin = new AdjRibIn(2);
  rin.apply(v4(many(2)));
  const r = rin.apply(v6(['2001:db8::/64', '2001:db8:1::/64', '2001:db8:2::/64']));
  t.same(r.overLimit, { afi: 2, safi: 1 });
  t.same([rin.size, rin.beyondLimit], [5, 1]);
  rin.apply(v6w(['2001:db8:2::/64']));
  t.same([rin.size, rin.beyondLimit], [4, 0]);
});

t.test('a 200,000-prefix flood keeps at most the limit in memory', async (t) => {
  const rin = new AdjRibIn(1000);
  for (let i = 0; i < 200; i++) rin.apply(v4(many(1000, i * 1000)));
  t.equal(rin.size, 200_000, 'counted');
  t.equal(rin.beyondLimit, 199_000, 'beyond the limit: a counter, not a set');
  t.equal(rin.discardedTotal, 199_000);
});

t.test('clear() forgets everything (session down)', async (t) => {
  const rin = new AdjRibIn(1);
  rin.apply(v4(many(3)));
  rin.clear();
  t.same([rin.size, rin.beyondLimit, rin.discardedTotal], [0, 0, 0]);
});
