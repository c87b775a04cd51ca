import t from 'tap';
import fc from 'fast-check';
import { TimeHeap } from './time-heap.js';

type Op = { kind: 'set'; id: number; key: number } | { kind: 'remove'; id: number } | { kind: 'pop' };

const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant('set' as const), id: fc.integer({ min: 0, max: 200 }), key: fc.integer({ min: 0, max: 20 }) }),
  fc.record({ kind: fc.constant('remove' as const), id: fc.integer({ min: 0, max: 200 }) }),
  fc.record({ kind: fc.constant('pop' as const) }),
);

t.test('pops in time order, equal times first come first served, after any sets, moves and removes', async (t) => {
  fc.assert(fc.property(fc.array(op, { maxLength: 300 }), (ops) => {
    const heap = new TimeHeap(2); // grows while the test runs
    // The reference: a plain list of (id, key, seq), the earliest found by a scan.
    const model = new Map<number, { key: number; seq: number }>();
    let seq = 0;
    const earliest = (): number => {
      let best = -1;
      for (const [id, v] of model) {
        const b = model.get(best);
        if (!b || v.key < b.key || (v.key === b.key && v.seq < b.seq)) best = id;
      }
      return best;
    };
    for (const o of ops) {
      if (o.kind === 'set') { heap.set(o.id, o.key); model.set(o.id, { key: o.key, seq: seq++ }); }
      if (o.kind === 'remove') { heap.remove(o.id); model.delete(o.id); }
      if (o.kind === 'pop') { const want = earliest(); model.delete(want); if (heap.pop() !== want) return false; }
      if (heap.size !== model.size) return false;
    }
    for (let want = earliest(); want >= 0; want = earliest()) {
      model.delete(want);
      if (heap.peekKey() !== heap.keyOf(want) || heap.pop() !== want) return false;
    }
    return heap.size === 0 && heap.pop() === -1 && heap.peekKey() === Infinity;
  }), { numRuns: 300 });
  t.pass();
});

t.test('fairness: 10,000 ids due at the same time leave in the order they were scheduled', async (t) => {
  const heap = new TimeHeap();
  const order = Array.from({ length: 10_000 }, (_, i) => (i * 7919) % 10_000); // a permutation
  for (const id of order) heap.set(id, 1000);
  const out: number[] = [];
  for (let id = heap.pop(); id >= 0; id = heap.pop()) out.push(id);
  t.same(out, order);
});

t.test('moving an id re-queues it behind ids already due at its new time', async (t) => {
  const heap = new TimeHeap();
  heap.set(1, 10);
  heap.set(2, 20);
  heap.set(3, 20);
  heap.set(1, 20);
  t.equal(heap.keyOf(1), 20);
  t.same([heap.pop(), heap.pop(), heap.pop()], [2, 3, 1]);
  t.ok(Number.isNaN(heap.keyOf(1)));
});
