import t from 'tap';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parsePool, parsePoolSliced } from './parse.js';
import { overItems, runSliced } from './sliced.js';

t.test('runSliced lets the event loop run between slices and does every step once', async (t) => {
  const seen: number[] = [];
  let turns = 0;
  const tick = setInterval(() => { turns++; }, 0);
  await runSliced(overItems(400, (i) => {
    seen.push(i);
    const until = performance.now() + 0.1;
    while (performance.now() < until); // 0.1 ms of work per step
  }), 5);
  clearInterval(tick);
  t.same(seen, Array.from({ length: 400 }, (_, i) => i));
  t.ok(turns >= 3, `the loop ran ${turns} times during 40 ms of 5 ms slices`);
});

t.test('parsePoolSliced gives what parsePool gives, for every fixture and both formats', async (t) => {
  const dir = 'test/fixtures/pools';
  for (const f of readdirSync(dir)) {
    const text = readFileSync(join(dir, f), 'utf8');
    t.same(await parsePoolSliced(text, f, undefined, 0.01), parsePool(text, f), f);
  }
  const big = Array.from({ length: 3000 }, (_, i) => `{ 'host': 'mw${i}', 'weight': ${i % 7}, 'enabled': ${i % 3 ? 'True' : 'False'} }`).join('\r\n');
  t.same(await parsePoolSliced(big, 'big', 'legacy', 0.5), parsePool(big, 'big', 'legacy'));
  const json = JSON.stringify(Object.fromEntries(Array.from({ length: 3000 }, (_, i) => [`mw${i}`, { enabled: true, weight: i % 5 }])), null, 2);
  const r = await parsePoolSliced(json, 'p.json', 'json', 0.5);
  t.same(r, parsePool(json, 'p.json', 'json'));
  t.equal(r.servers.length, 3000);
});
