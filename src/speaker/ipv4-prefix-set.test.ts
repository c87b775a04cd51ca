import t from 'tap';
import fc from 'fast-check';
import { Ipv4PrefixSet } from './ipv4-prefix-set.js';

t.test('behaves like Set<string> under random adds and deletes (growth and tombstones included)', async (t) => {
  const prefix = fc.tuple(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 255 }), fc.integer({ min: 24, max: 32 }))
    .map(([a, b, len]) => `10.${a}.${b}.0/${len}`);
  const op = fc.tuple(fc.boolean(), prefix);
  fc.assert(fc.property(fc.array(op, { maxLength: 3000 }), (ops) => {
    const set = new Ipv4PrefixSet(4);
    const model = new Set<string>();
    for (const [add, p] of ops) {
      if (add) { if (set.add(p) !== !model.has(p)) return false; model.add(p); }
      else { if (set.delete(p) !== model.has(p)) return false; model.delete(p); }
      if (set.size !== model.size) return false;
    }
    return true;
  }), { numRuns: 200 });
  t.pass('200 random runs agree with Set');
});

t.test('a million /32s, then all withdrawn', async (t) => {
  const s = new Ipv4PrefixSet();
  for (let i = 0; i < 1_000_000; i++) s.add(`11.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}/32`);
  t.equal(s.size, 1_000_000);
  t.equal(s.add('11.0.0.5/32'), false, 'already there');
  for (let i = 0; i < 1_000_000; i++) s.delete(`11.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}/32`);
  t.equal(s.size, 0);
});

t.test('text that is not an IPv4 prefix is not stored', async (t) => {
  const s = new Ipv4PrefixSet();
  for (const bad of ['10.0.0.0', '10.0.0.256/32', '10.0.0.0/33', '10.0.0/24', 'x', '2001:db8::/32', '10.0.0.0/']) t.equal(s.add(bad), false, bad);
  t.equal(s.size, 0);
  t.equal(s.add('0.0.0.0/0'), true);
  t.equal(s.delete('0.0.0.0/0'), true);
});
