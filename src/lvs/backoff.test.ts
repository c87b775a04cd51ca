import t from 'tap';
import { millis } from '../time/clock.js';
import { backoff } from './backoff.js';

t.test('doubles from the first wait and stays at the ceiling', async (t) => {
  const waits = [1, 2, 3, 4, 5, 6, 7, 8, 9, 200].map((n) => backoff(n, millis(500), millis(30_000)));
  t.same(waits, [500, 1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000, 30000]);
  t.equal(backoff(0, millis(500), millis(30_000)), 500);
  t.equal(backoff(3, millis(1000), millis(1500)), 1500, 'never above the ceiling');
});
