import t from 'tap';
import { FakeClock } from '../../test/support/fake-clock.js';
import { ResolveLimiter, addressOf, familyOf, isLiteral } from './resolve-limiter.js';

/** A resolver whose answers the test releases by hand; counts every question. */
function manualResolver() {
  const asked: string[] = [];
  const pending = new Map<string, { resolve: (a: string[]) => void; reject: (e: Error) => void }[]>();
  let active = 0;
  let peak = 0;
  const resolver = (host: string): Promise<string[]> => {
    asked.push(host);
    active++;
    peak = Math.max(peak, active);
    return new Promise<string[]>((resolve, reject) => pending.set(host, [...(pending.get(host) ?? []), { resolve, reject }]))
      .finally(() => { active--; });
  };
  const answer = (host: string, ips: string[] | Error) => {
    const p = pending.get(host)!.shift()!;
    if (pending.get(host)!.length === 0) pending.delete(host);
    if (ips instanceof Error) p.reject(ips); else p.resolve(ips);
  };
  return { resolver, asked, answer, pending, peak: () => peak };
}

const tick = () => new Promise((r) => setImmediate(r));

t.test('at most `concurrency` look-ups at once; the rest wait their turn in order', async (t) => {
  const m = manualResolver();
  const lim = new ResolveLimiter(m.resolver, new FakeClock(), { concurrency: 3 });
  const names = Array.from({ length: 10 }, (_, i) => `h${i}`);
  const all = Promise.all(names.map((n) => lim.lookup(n, 4)));
  await tick();
  t.same(m.asked, ['h0', 'h1', 'h2'], 'three asked, seven waiting');
  t.equal(lim.queued, 7);
  for (let i = 0; i < 10; i++) {
    m.answer(`h${i}`, [`10.0.0.${i}`]);
    await tick();
  }
  const res = await all;
  t.equal(m.peak(), 3, 'never more than three in flight');
  t.same(m.asked, names, 'asked in order');
  t.same(res.map((r) => r.ips[0]), names.map((_, i) => `10.0.0.${i}`));
  t.equal(lim.active, 0);
});

t.test('a failed name is answered from the negative cache until the ttl passes', async (t) => {
  const clock = new FakeClock();
  const m = manualResolver();
  const lim = new ResolveLimiter(m.resolver, clock, { negativeTtlMs: 30_000, reportEveryMs: 300_000 });
  const first = lim.lookup('gone', 4);
  await tick();
  m.answer('gone', new Error('getaddrinfo ENOTFOUND gone'));
  t.same(await first, { ips: [], error: 'getaddrinfo ENOTFOUND gone', report: true }, 'the first failure is reported');
  clock.advance(29_999);
  t.same(await lim.lookup('gone', 4), { ips: [], error: 'getaddrinfo ENOTFOUND gone', report: false }, 'cached, not asked');
  t.equal(m.asked.length, 1);
  clock.advance(1);
  const again = lim.lookup('gone', 4);
  await tick();
  t.equal(m.asked.length, 2, 'asked again after the ttl');
  m.answer('gone', []);
  t.same(await again, { ips: [], error: 'no IPv4 address', report: false }, 'failing again within the report period: not logged again');
  clock.advance(300_000);
  const later = lim.lookup('gone', 4);
  await tick();
  m.answer('gone', new Error('ENOTFOUND'));
  t.equal((await later).report, true, 'reported again once the period has passed');
  clock.advance(30_000);
  const back = lim.lookup('gone', 4);
  await tick();
  m.answer('gone', ['10.0.0.9']);
  t.same(await back, { ips: ['10.0.0.9'], error: null, report: false }, 'a success clears the failure');
});

t.test('the same name asked twice at once is asked once; the family is part of the name', async (t) => {
  const m = manualResolver();
  const lim = new ResolveLimiter(m.resolver, new FakeClock());
  const a = lim.lookup('x', 4);
  const b = lim.lookup('x', 4);
  const c = lim.lookup('x', 6);
  await tick();
  t.equal(m.pending.get('x')?.length, 2, 'two questions pending');
  t.same(m.asked, ['x', 'x'], 'once per family');
  m.answer('x', new Error('down'));
  await tick();
  m.answer('x', new Error('down'));
  const [ra, rb] = await Promise.all([a, b, c]);
  t.equal(ra.report, true);
  t.equal(rb.report, false, 'the shared answer is reported once');
});

t.test('1,000 failing names: bounded in flight, each asked once per ttl', async (t) => {
  const clock = new FakeClock();
  let active = 0;
  let peak = 0;
  const asked = new Map<string, number>();
  const lim = new ResolveLimiter(async (host) => {
    asked.set(host, (asked.get(host) ?? 0) + 1);
    active++;
    peak = Math.max(peak, active);
    await tick();
    active--;
    throw new Error('ENOTFOUND');
  }, clock, { concurrency: 32 });
  const names = Array.from({ length: 1000 }, (_, i) => `bad${i}.invalid`);
  const round = () => Promise.all(names.map((n) => lim.lookup(n, 4)));
  const r1 = await round();
  const r2 = await round();
  t.equal(peak, 32);
  t.equal(r1.filter((r) => r.report).length, 1000, 'each name reported once');
  t.equal(r2.filter((r) => r.report).length, 0, 'the second round comes from the cache');
  t.ok([...asked.values()].every((n) => n === 1), 'each asked once');
  lim.retain((h) => h !== 'bad0.invalid');
  clock.advance(10);
  const r3 = await lim.lookup('bad0.invalid', 4);
  t.equal(asked.get('bad0.invalid'), 2, 'a forgotten name is asked afresh');
  t.equal(r3.report, true);
});

t.test('literals: dotted-quad IPv4 as it is, other IPv4 forms and IPv6 in canonical form, never looked up', async (t) => {
  const m = manualResolver();
  const lim = new ResolveLimiter(m.resolver, new FakeClock());
  const ip = async (host: string, fam: 4 | 6) => (await addressOf(lim, host, fam)).ip;
  t.equal(await ip('10.255.1.2', 4), '10.255.1.2');
  t.equal(await ip('0x7f.0.0.1', 4), '127.0.0.1', 'a hex form, as ipaddr.js reads it');
  t.equal(await ip('010.1.1.1', 4), '8.1.1.1', 'a leading zero is octal, as before');
  t.equal(await ip('fd00:255:0:0::1', 6), 'fd00:255::1');
  t.equal(await ip('10.255.1.2', 6), null, 'the wrong family');
  t.match(await addressOf(lim, 'fd00:255::1', 4), { ip: null, error: 'not an IPv4 address', report: true });
  t.same(m.asked, [], 'no look-up for a literal');
  t.same([isLiteral('10.255.1.2'), isLiteral('1.2.3'), isLiteral('mw1.eqiad.wmnet')], [true, true, false]);
  t.same([familyOf('10.255.1.2'), familyOf('fd00:255::1')], [4, 6]);
});
