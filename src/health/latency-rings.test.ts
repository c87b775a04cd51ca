import t from 'tap';
import { LATENCY_SAMPLES, LatencyRings } from './latency-rings.js';

t.test('rings in one bank: oldest first, bounded, slots reused, growth keeps data', async (t) => {
  const r = new LatencyRings();
  const slots = Array.from({ length: 200 }, () => r.alloc());
  t.equal(new Set(slots).size, 200, 'distinct slots (the bank grew past its first 64)');
  slots.forEach((s, i) => { for (let n = 0; n < 3; n++) r.put(s, n, i + n); });
  t.same(r.values(slots[0]!, 3), [0, 1, 2]);
  t.same(r.values(slots[199]!, 3), [199, 200, 201], 'data survives growth');
  for (let n = 3; n < LATENCY_SAMPLES + 5; n++) r.put(slots[1]!, n, n);
  t.same(r.values(slots[1]!, LATENCY_SAMPLES + 5), Array.from({ length: LATENCY_SAMPLES }, (_, i) => i + 5), 'the last LATENCY_SAMPLES');
  r.put(slots[2]!, 3, Number.NaN);
  t.equal(r.values(slots[2]!, 4)[3], 0, 'a non-number is stored as 0');
  r.release(slots[5]!);
  t.equal(r.alloc(), slots[5], 'a released slot is reused');
  t.same(r.values(slots[5]!, 0), [], 'no samples yet');
});
