import t from 'tap';
import { createServer as createHttpServer, type IncomingHttpHeaders } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { createServer as createNetServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { CheckAbort, createMonitor, checkWithTimeout, type CheckResult, type Monitor, type MonitorOptions, type Target } from '../../src/health/index.js';
import { fastHttpProbe } from '../../src/health/monitors/fast-http-probe.js';
import { nativeAddonUnavailable } from '../../src/health/monitors/native-addon.js';
import { systemClock } from '../../src/time/clock.js';
import { selfSignedCert } from '../support/self-signed.js';
import { inCI } from '../support/require-tool.js';

const IP = `127.44.${process.pid % 250}.1`;

async function listen(server: Server): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, IP, () => resolve());
  });
  const open = new Set<Socket>();
  server.on('connection', (s: Socket) => { open.add(s); s.once('close', () => open.delete(s)); });
  server.on('secureConnection', (s: Socket) => { open.add(s); s.once('close', () => open.delete(s)); });
  t.teardown(() => new Promise<void>((r) => {
    server.close(() => r());
    for (const s of open) s.destroy();
  }));
  return (server.address() as AddressInfo).port;
}

function monitor(options: MonitorOptions): Monitor {
  const m = createMonitor('ProxyFetch', options);
  if (!m.ok) throw new Error(m.error);
  return m.value;
}

const check = (m: Monitor, port: number, host = 'web1'): Promise<CheckResult> =>
  checkWithTimeout(m, { host, ip: IP, port } satisfies Target, systemClock);

let lastHeaders: IncomingHttpHeaders = {};
let lastUrl = '';
const http = createHttpServer((req, res) => {
  lastHeaders = req.headers;
  lastUrl = req.url ?? '';
  const status = /^\/s\/(\d{3})(?:\?|$)/.exec(req.url ?? '');
  if (status) { res.writeHead(Number(status[1]), { 'Content-Type': 'text/plain' }); res.end('status page\n'); return; }
  if (req.url === '/body') { res.end('service=healthy load=0.3\n'); return; }
  if (req.url === '/chunked') { res.write('service=hea'); setTimeout(() => res.end('lthy\n'), 5); return; }
  if (req.url === '/big') { res.end('x'.repeat(200_000) + 'TAIL'); return; }
  res.writeHead(404); res.end();
});

const httpPort = listen(http);

t.test('HTTP statuses, Host header, path, body and redirects against a real server', async (t) => {
  const port = await httpPort;
  const plain = monitor({ url: 'http://www.example.test:8080/s/200?probe=1' });

  const up = await check(plain, port);
  t.equal(up.up, true, up.reason);
  t.match(up.reason, /HTTP 200/);
  t.equal(lastHeaders.host, 'www.example.test:8080', 'Host header comes from the URL');
  t.equal(lastHeaders.connection, 'close');
  t.equal(lastUrl, '/s/200?probe=1');

  for (const code of [201, 202]) t.equal((await check(monitor({ url: `http://a/s/${code}` }), port)).up, true, `${code} is up by default (PyBal)`);
  for (const code of [204, 301, 404, 500, 503]) {
    const r = await check(monitor({ url: `http://a/s/${code}` }), port);
    t.equal(r.up, false, `${code} is down by default`);
    t.match(r.reason, new RegExp(`HTTP ${code} \\(expected 200-202\\)`));
  }

  // PyBal master: http_status 301/302/303 accepts the three redirect codes and not 200.
  const redirect = { http_status: '302' };
  for (const code of [301, 302, 303]) t.equal((await check(monitor({ url: `http://a/s/${code}`, ...redirect }), port)).up, true);
  t.equal((await check(monitor({ url: 'http://a/s/200', ...redirect }), port)).up, false);

  // http_status honoured for real: one code, list, range.
  t.equal((await check(monitor({ url: 'http://a/s/404', http_status: 404 }), port)).up, true);
  t.equal((await check(monitor({ url: 'http://a/s/200', http_status: 404 }), port)).up, false);
  t.equal((await check(monitor({ url: 'http://a/s/204', http_status: ['200', '204'] }), port)).up, true);
  t.equal((await check(monitor({ url: 'http://a/s/299', http_status: '200-299' }), port)).up, true);
  t.equal((await check(monitor({ url: 'http://a/s/300', http_status: '200-299' }), port)).up, false);

  const body = await check(monitor({ url: 'http://a/body', 'expect-body': 'service=healthy' }), port);
  t.equal(body.up, true, body.reason);
  const wrongBody = await check(monitor({ url: 'http://a/body', 'expect-body': '^ok$' }), port);
  t.equal(wrongBody.up, false);
  t.match(wrongBody.reason, /body does not match \/\^ok\$\//);
  const chunked = await check(monitor({ url: 'http://a/chunked', 'expect-body': 'service=healthy' }), port);
  t.equal(chunked.up, true, `chunked body decoded: ${chunked.reason}`);
  const big = await check(monitor({ url: 'http://a/big', 'expect-body': 'TAIL' }), port);
  t.equal(big.up, false, 'body beyond the 64 KiB cap is not searched');
  t.equal((await check(monitor({ url: 'http://a/big' }), port)).up, true, 'a large body does not matter without expect-body');
});

t.test('check_all and max_failures; one random URL otherwise', async (t) => {
  const port = await httpPort;
  const urls = ['http://a/s/200', 'http://a/s/500', 'http://a/s/503'];
  t.equal((await check(monitor({ url: urls, check_all: 'yes', max_failures: 1 }), port)).up, false);
  t.equal((await check(monitor({ url: urls, check_all: true, max_failures: 2 }), port)).up, true);
  const all = await check(monitor({ url: urls, check_all: true }), port);
  t.equal(all.up, false);
  t.match(all.reason, /s\/500: HTTP 500[^]*s\/503: HTTP 503/);
  const seen = new Set<boolean>();
  const one = monitor({ url: ['http://a/s/200', 'http://a/s/500'] });
  for (let i = 0; i < 40 && seen.size < 2; i++) seen.add((await check(one, port)).up);
  t.same([...seen].sort(), [false, true], 'without check_all each check picks one of the URLs');
});

t.test('misbehaving servers: refused, tarpit, reset, close, garbage', async (t) => {
  const fast = { url: 'http://a/', timeout: '0.3' };
  const refused = createNetServer();
  const closedPort = await listen(refused);
  await new Promise<void>((r) => refused.close(() => r()));
  const r0 = await check(monitor(fast), closedPort);
  t.equal(r0.up, false);
  t.match(r0.reason, /ECONNREFUSED/);

  const tarpit = createNetServer(() => { /* accept and never answer */ });
  const r1 = await check(monitor(fast), await listen(tarpit));
  t.equal(r1.up, false);
  t.match(r1.reason, /timeout after 300 ms/);

  const reset = createNetServer((s) => s.resetAndDestroy());
  const r2 = await check(monitor(fast), await listen(reset));
  t.equal(r2.up, false);
  t.match(r2.reason, /ECONNRESET|closed/);

  const close = createNetServer((s) => s.end());
  const r3 = await check(monitor(fast), await listen(close));
  t.equal(r3.up, false);
  t.match(r3.reason, /closed before a status line/);

  const garbage = createNetServer((s) => s.end('SSH-2.0-OpenSSH_9.2\r\n\r\n'));
  const r4 = await check(monitor(fast), await listen(garbage));
  t.equal(r4.up, false);
  t.match(r4.reason, /malformed status line 'SSH-2.0/);
});

t.test('HTTPS with a self-signed certificate: SNI from the URL, verification only when asked', async (t) => {
  const pair = selfSignedCert(t, 'secure.example.test', { days: 2, san: 'DNS:secure.example.test' });
  if (!pair) return;
  let sni: string | undefined;
  const https = createHttpsServer(pair, (req, res) => {
    lastHeaders = req.headers;
    res.writeHead(req.url === '/down' ? 503 : 200);
    res.end('tls ok');
  });
  https.on('secureConnection', (s) => { sni = (s as { servername?: string }).servername; });
  const port = await listen(https);

  const r = await check(monitor({ url: 'https://secure.example.test/health' }), port);
  t.equal(r.up, true, r.reason);
  t.equal(sni, 'secure.example.test');
  t.equal(lastHeaders.host, 'secure.example.test');
  t.equal((await check(monitor({ url: 'https://secure.example.test/down' }), port)).up, false);

  const verified = await check(monitor({ url: 'https://secure.example.test/health', 'verify-tls': 'yes' }), port);
  t.equal(verified.up, false);
  t.match(verified.reason, /self[- ]signed/i);

  const plainToTls = await check(monitor({ url: 'http://secure.example.test/health', timeout: 1 }), port);
  t.equal(plainToTls.up, false, 'plain HTTP to a TLS port is down');
});

t.test('reasons never show URL userinfo or query values (issue 11)', async (t) => {
  const port = await httpPort;
  const secretUrl = 'http://ops:s3cret@www.example.test/s/503?token=abc123&probe';
  const failing = await check(monitor({ url: secretUrl }), port);
  t.equal(failing.up, false);
  t.equal(lastUrl, '/s/503?token=abc123&probe', 'the real request still carries the query');
  t.match(failing.reason, 'http://***@www.example.test/s/503?token=***&probe: HTTP 503');
  const refused = await check(monitor({ url: secretUrl, timeout: 1 }), 1);
  t.equal(refused.up, false);
  t.match(refused.reason, /^http:\/\/\*\*\*@www\.example\.test\/s\/503\?token=\*\*\*&probe: .*ECONNREFUSED/);
  const bad = createMonitor('ProxyFetch', { url: 'ftp://ops:s3cret@host/x?token=abc123' });
  t.equal(bad.ok, false);
  for (const text of [failing.reason, refused.reason, bad.ok ? '' : bad.error]) t.notMatch(text, /s3cret|abc123/);
});

t.test("checkThen, the runner's path without a promise: check()'s results, and what it leaves to check()", async (t) => {
  const port = await httpPort;
  const gone = createNetServer();
  const closed = await new Promise<number>((r) => gone.listen(0, IP, () => r((gone.address() as AddressInfo).port)));
  await new Promise<void>((r) => gone.close(() => r())); // refused
  const viaThen = (m: Monitor, p: number): Promise<CheckResult | 'declined'> => new Promise((resolve) => {
    if (!m.checkThen!({ host: 'web1', ip: IP, port: p }, new CheckAbort(), resolve)) resolve('declined');
  });
  const native = fastHttpProbe();
  if (!native) {
    if (inCI()) t.fail(`CI=true and the native probe is unavailable: ${nativeAddonUnavailable()}`);
    t.equal(await viaThen(monitor({ url: 'http://a/s/200' }), port), 'declined', 'without the addon: check() does it');
    return;
  }
  for (const [url, p] of [['http://a/s/200', port], ['http://a/s/503', port], ['http://a/s/200', closed]] as const) {
    const m = monitor({ url });
    const [got, want] = [await viaThen(m, p), await check(m, p)];
    t.not(got, 'declined');
    const r = got as CheckResult;
    t.same([r.up, r.reason, r.requests!.map((q) => [q.url, q.up])], [want.up, want.reason, want.requests!.map((q) => [q.url, q.up])], `${url} on ${p}`);
    t.ok(r.ms >= 0 && r.requests![0]!.ms === r.ms);
  }
  t.equal(await viaThen(monitor({ url: 'http://a/body', 'expect-body': 'healthy' }), port), 'declined', 'a body to match');
  t.equal(await viaThen(monitor({ url: ['http://a/s/200', 'https://a/s/200'] }), port), 'declined', 'an HTTPS URL');
  t.equal(await viaThen(monitor({ url: ['http://a/s/200', 'http://a/s/500'], check_all: true }), port), 'declined', 'check_all');
  const aborted = new CheckAbort();
  aborted.abort();
  let early: CheckResult | null = null;
  t.ok(monitor({ url: 'http://a/s/200' }).checkThen!({ host: 'web1', ip: IP, port }, aborted, (r) => { early = r; }));
  t.match(early, { up: false, reason: /aborted/ }, 'an aborted signal: the result before checkThen returns');
});
