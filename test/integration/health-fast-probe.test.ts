// The native status probe (native/http-probe.c) against real servers on loopback, side by
// side with the net.Socket client: the same result for every server behaviour, the server
// closing first, the drain bound, cancellation, and many checks in flight at once.
import t from 'tap';
import { createServer as createHttpServer } from 'node:http';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { CheckAbort } from '../../src/health/index.js';
import { fastHttpProbe } from '../../src/health/monitors/fast-http-probe.js';
import { nativeAddonUnavailable } from '../../src/health/monitors/native-addon.js';
import { buildRequest, socketProbe, type HttpProbeResult } from '../../src/health/monitors/http-probe.js';
import { inCI } from '../support/require-tool.js';

const IP = `127.45.${process.pid % 250}.1`;
const REQUEST = buildRequest('www.example.test', '/health');
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

const fast = fastHttpProbe();
if (!fast) {
  const why = nativeAddonUnavailable();
  if (inCI()) t.fail(`CI=true and the native probe is unavailable: ${why}`);
  else {
    process.stderr.write(`\n!!! SKIPPING the native probe tests: ${why}\n\n`);
    t.skip(`SKIPPED: ${why}`, () => {});
  }
}

/** A raw TCP server whose behaviour per connection the test chooses; returns its port. */
async function rawServer(onConn: (s: Socket) => void, ip = IP): Promise<{ port: number; server: Server }> {
  const open = new Set<Socket>();
  const server = createServer({ allowHalfOpen: true }, (s) => {
    open.add(s);
    s.once('close', () => open.delete(s));
    s.on('error', () => {});
    onConn(s);
  });
  await new Promise<void>((resolve, reject) => { server.once('error', reject); server.listen(0, ip, () => resolve()); });
  t.teardown(() => new Promise<void>((r) => { server.close(() => r()); for (const s of open) s.destroy(); }));
  return { port: (server.address() as AddressInfo).port, server };
}

/** Answers once the request head has arrived. */
function onRequest(s: Socket, answer: (s: Socket) => void): void {
  let got = '';
  let answered = false;
  s.on('data', (b: Buffer) => {
    got += b.toString('latin1');
    if (!answered && got.includes('\r\n\r\n')) { answered = true; answer(s); }
  });
}

function both(port: number, ip = IP, abortAfterMs = 0): Promise<[HttpProbeResult, HttpProbeResult]> {
  const run = (probe: 'fast' | 'socket'): Promise<HttpProbeResult> => {
    const signal = new CheckAbort();
    if (abortAfterMs) setTimeout(() => signal.abort(), abortAfterMs);
    return probe === 'fast'
      ? fast!.status(ip, port, REQUEST, signal)
      : socketProbe({ ip, port, tls: false, verifyTls: false, request: REQUEST, wantBody: false, maxBytes: 65536, signal });
  };
  return Promise.all([run('fast'), run('socket')]);
}

const reasonOf = (r: HttpProbeResult): string => (r.ok ? `HTTP ${r.status}` : r.reason);

t.test('same results as the net.Socket client for every server behaviour', { skip: !fast }, async (t) => {
  const http = createHttpServer((req, res) => {
    const m = /^\/s\/(\d{3})$/.exec(req.url ?? '');
    res.writeHead(m ? Number(m[1]) : 200, { 'content-type': 'text/plain' });
    res.end('ok\n');
  });
  await new Promise<void>((r) => http.listen(0, IP, () => r()));
  t.teardown(() => new Promise<void>((r) => { http.closeAllConnections(); http.close(() => r()); }));
  const httpPort = (http.address() as AddressInfo).port;
  const [ok] = await both(httpPort);
  t.same(ok, { ok: true, status: 200, body: null }, 'a real HTTP server: 200');

  const cases: [string, (s: Socket) => void, RegExp][] = [
    ['503', (s) => onRequest(s, (x) => x.end('HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n\r\n')), /^HTTP 503$/],
    ['status line in two segments', (s) => onRequest(s, (x) => { x.write('HTTP/1.0 2'); setTimeout(() => x.end('04 No Content\r\n\r\n'), 30); }), /^HTTP 204$/],
    ['not HTTP', (s) => s.write('SSH-2.0-OpenSSH_9.2\r\n'), /^malformed status line 'SSH-2.0-OpenSSH_9.2'$/],
    ['bad status code', (s) => onRequest(s, (x) => x.end('HTTP/1.1 2x0 OK\r\n\r\n')), /^malformed status code$/],
    ['closed before a status line', (s) => onRequest(s, (x) => x.end('HTTP/1.1')), /^connection closed before a status line$/],
    ['closed at once', (s) => s.end(), /^connection closed before a status line$|EPIPE|ECONNRESET/],
    ['reset', (s) => onRequest(s, (x) => x.resetAndDestroy()), /ECONNRESET/],
  ];
  for (const [name, behaviour, expected] of cases) {
    const { port } = await rawServer(behaviour);
    const [f, s] = await both(port);
    t.match(reasonOf(f), expected, `${name}: native`);
    t.match(reasonOf(s), expected, `${name}: net.Socket`);
  }

  const { port: closed, server } = await rawServer(() => {});
  await new Promise<void>((r) => server.close(() => r()));
  const [f, s] = await both(closed);
  t.match(reasonOf(f), new RegExp(`^connect: ECONNREFUSED ${IP.replace(/\./g, '\\.')}:${closed}$`), 'refused: native');
  t.match(reasonOf(s), /ECONNREFUSED/, 'refused: net.Socket');

  const bad = await fast!.status('not-an-address', 80, REQUEST, new CheckAbort());
  t.match(bad, { ok: false, reason: /not an IP address/ }, 'a bad address is a result, not a throw');
});

t.test('IPv6 loopback', { skip: !fast }, async (t) => {
  const { port } = await rawServer((s) => onRequest(s, (x) => x.end('HTTP/1.1 200 OK\r\n\r\n')), '::1');
  const r = await fast!.status('::1', port, REQUEST, new CheckAbort());
  t.same(r, { ok: true, status: 200, body: null });
});

t.test('the server closes first; a server that never closes is cut off after the drain time', { skip: !fast }, async (t) => {
  let clientFinBeforeOurs = false;
  let ourFinSent = false;
  const { port } = await rawServer((s) => onRequest(s, (x) => {
    x.write('HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nok\n');
    x.once('end', () => { if (!ourFinSent) clientFinBeforeOurs = true; });
    setTimeout(() => { ourFinSent = true; x.end(); }, 150);
  }));
  const started = performance.now();
  const r = await fast!.status(IP, port, REQUEST, new CheckAbort());
  t.same(r, { ok: true, status: 200, body: null });
  t.ok(performance.now() - started < 150, 'the result comes with the status, before the server closes');
  await sleep(400);
  t.equal(clientFinBeforeOurs, false, 'the probe did not close before the server');

  let closedAfter = -1;
  const { port: lingering } = await rawServer((s) => onRequest(s, (x) => {
    const at = performance.now();
    x.write('HTTP/1.1 200 OK\r\n\r\n');
    x.once('end', () => { closedAfter = performance.now() - at; });
  }));
  t.same(await fast!.status(IP, lingering, REQUEST, new CheckAbort()), { ok: true, status: 200, body: null });
  for (let i = 0; i < 60 && closedAfter < 0; i++) await sleep(100);
  t.ok(closedAfter >= 1900 && closedAfter < 4000, `the lingering connection was closed by the probe after ~2 s (${closedAfter.toFixed(0)} ms)`);
});

t.test('after the server\'s FIN the probe resets: no FIN of its own, so no TIME_WAIT on the server', { skip: !fast }, async (t) => {
  const seen: string[] = [];
  const { port } = await rawServer((s) => onRequest(s, (x) => {
    x.on('end', () => seen.push('fin'));
    x.on('error', (e: NodeJS.ErrnoException) => seen.push(e.code ?? e.message));
    x.end('HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nok\n');
  }));
  t.same(await fast!.status(IP, port, REQUEST, new CheckAbort()), { ok: true, status: 200, body: null });
  for (let i = 0; i < 40 && !seen.length; i++) await sleep(50);
  t.same(seen, ['ECONNRESET'], 'the server\'s socket saw a reset, not a FIN');
});

t.test('abort while waiting for the status closes the connection and says so', { skip: !fast }, async (t) => {
  let closed = 0;
  const { port } = await rawServer((s) => { s.resume(); s.once('end', () => { closed++; }); });
  const [f, s] = await both(port, IP, 150);
  t.equal(reasonOf(f), 'aborted during response', 'native');
  t.equal(reasonOf(s), 'aborted during response', 'net.Socket');
  for (let i = 0; i < 20 && closed < 2; i++) await sleep(50);
  t.equal(closed, 2, 'the server saw both aborted connections close');
  const pre = new CheckAbort();
  pre.abort();
  t.same(await fast!.status(IP, port, REQUEST, pre), { ok: false, reason: 'aborted' }, 'an already aborted signal starts nothing');
});

t.test('2,000 checks in flight at once, over 5 servers, each gets its own server\'s answer', { skip: !fast }, async (t) => {
  const ports: number[] = [];
  for (let i = 0; i < 5; i++) {
    const { port } = await rawServer((s) => onRequest(s, (x) => x.end(`HTTP/1.1 ${200 + i} X\r\n\r\n`)));
    ports.push(port);
  }
  const wanted = Array.from({ length: 2000 }, (_, k) => k % 5);
  const results = await Promise.all(wanted.map((i) => fast!.status(IP, ports[i]!, REQUEST, new CheckAbort())));
  const wrong = results.map((r, k) => ({ r, want: 200 + wanted[k]! })).filter(({ r, want }) => !r.ok || r.status !== want);
  t.equal(wrong.length, 0, `every check has its own server's status (first wrong: ${JSON.stringify(wrong[0] ?? null)})`);
});
