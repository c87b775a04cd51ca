import t from 'tap';
import { RestartBackoff } from './restart-backoff.js';

t.test('the wait doubles per death up to the bound, and starts over after a stable run', async (t) => {
  const b = new RestartBackoff({ firstMs: 200, maxMs: 3000, stableMs: 60_000 });
  const waits: number[] = [];
  let now = 0;
  for (let i = 0; i < 6; i++) { b.up(now); now += 1000; waits.push(b.next(now)); }
  t.same(waits, [200, 400, 800, 1600, 3000, 3000], 'a worker dying within a second of each start');
  t.equal(b.next(now + 10), 3000, 'a failed start (never up) keeps the bound');
  b.up(now);
  t.equal(b.next(now + 60_000), 200, 'up for stableMs: the next death waits the first delay again');
});
