import t from 'tap';
import { ClientRateLimiter, LimitReporter } from './rate-limit.js';

t.test('per-client token bucket: burst, then the rate; clients are independent', async (t) => {
  const l = new ClientRateLimiter({ rate: 50, burst: 10, maxClients: 100 });
  const allowed = Array.from({ length: 20 }, () => l.allow('127.0.0.1', 0)).filter(Boolean).length;
  t.equal(allowed, 10, 'the burst');
  t.notOk(l.allow('127.0.0.1', 10), 'half a token after 10 ms');
  t.ok(l.allow('127.0.0.1', 20), 'one token after 20 ms at 50/s');
  t.ok(l.allow('::1', 20), 'another client has its own bucket');
});

t.test('the client table is bounded', async (t) => {
  const l = new ClientRateLimiter({ rate: 1, burst: 1, maxClients: 100 });
  for (let i = 0; i < 1000; i++) l.allow(`10.0.${i >> 8}.${i & 255}`, 0);
  t.ok(l.size <= 100, `size ${l.size}`);
});

t.test('one report per limit per interval, naming the client and what was suppressed', async (t) => {
  const r = new LimitReporter(10_000);
  t.equal(r.hit('request rate', '127.0.0.9', 'answered 429', 0), 'instrumentation: request rate limit hit by 127.0.0.9: answered 429');
  t.equal(r.hit('request rate', '127.0.0.9', 'answered 429', 5000), null);
  t.equal(r.hit('request rate', '127.0.0.8', 'answered 429', 9999), null);
  t.match(r.hit('connection', '127.0.0.8', 'closed', 9999), /connection limit hit by 127\.0\.0\.8/);
  t.equal(r.hit('request rate', '127.0.0.8', 'answered 429', 10_000),
    'instrumentation: request rate limit hit by 127.0.0.8: answered 429 (2 more since the last report)');
});
