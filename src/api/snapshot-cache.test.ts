import t from 'tap';
import { SnapshotCache } from './snapshot-cache.js';

function fixture() {
  let now = 0;
  let requests = 0;
  const cache = new SnapshotCache<string>({ now: () => now, request: () => { requests++; }, ratePerSec: 5, burst: 5 });
  return { cache, advance: (ms: number) => { now += ms; }, requests: () => requests };
}

t.test('one request in flight: every waiter gets the same snapshot', async (t) => {
  const { cache, requests } = fixture();
  const waiting = Array.from({ length: 1000 }, () => cache.get());
  t.equal(requests(), 1);
  t.ok(cache.inFlight);
  cache.resolve('s1');
  t.same(new Set(await Promise.all(waiting)), new Set(['s1']));
  t.notOk(cache.inFlight);
});

t.test('fresh snapshots come from a token bucket; when it is empty the last one is reused', async (t) => {
  const { cache, advance, requests } = fixture();
  for (let i = 1; i <= 5; i++) {
    const p = cache.get();
    cache.resolve(`s${i}`);
    t.equal(await p, `s${i}`, 'a burst of fresh snapshots');
  }
  t.equal(await cache.get(), 's5', 'bucket empty: the last snapshot, no request');
  t.equal(requests(), 5);
  advance(200);
  const p = cache.get();
  t.equal(requests(), 6, 'one token back after 200 ms at 5/s');
  cache.resolve('s6');
  t.equal(await p, 's6');
  for (let i = 0; i < 100; i++) { advance(10); void cache.get(); if (cache.inFlight) cache.resolve('x'); }
  t.ok(requests() <= 6 + 5 + 1, `1 s of requests every 10 ms cost at most rate·t + 1 snapshots (${requests()})`);
});

t.test('a failed request rejects its waiters; the next get asks again', async (t) => {
  const { cache, requests } = fixture();
  const a = cache.get();
  const b = cache.get();
  cache.reject(new Error('no answer'));
  await t.rejects(a, /no answer/);
  await t.rejects(b, /no answer/);
  const c = cache.get();
  t.equal(requests(), 2);
  cache.resolve('ok');
  t.equal(await c, 'ok');
});

t.test('after a write (invalidate) the next read is fresh even with the bucket empty', async (t) => {
  const { cache, requests } = fixture();
  for (let i = 1; i <= 5; i++) { const p = cache.get(); cache.resolve(`s${i}`); await p; }
  t.equal(await cache.get(), 's5');
  cache.invalidate();
  const p = cache.get();
  t.equal(requests(), 6, 'a fresh request');
  cache.resolve('after-write');
  t.equal(await p, 'after-write');
  t.equal(await cache.get(), 'after-write', 'then the bucket rules again');
  t.equal(requests(), 6);
});
