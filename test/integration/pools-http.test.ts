import t from 'tap';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { HttpSource } from '../../src/pools/http-source.js';
import type { PoolServer } from '../../src/pools/types.js';
import { systemClock } from '../../src/time/clock.js';
import { needTools } from '../lab/need-tools.js';
import { waitFor } from '../lab/proc.js';
import { makeCerts } from './pools-etcd-server.js';

interface Reply { status: number; body?: string; headers?: Record<string, string>; hang?: boolean }
type Handler = (req: http.IncomingMessage) => Reply;

/** A real HTTP server on loopback whose answers the test changes as it goes. */
async function server(t: { teardown(f: () => unknown): void }, handler: { current: Handler }) {
  const seen: http.IncomingHttpHeaders[] = [];
  const srv = http.createServer((req, res) => {
    seen.push(req.headers);
    const r = handler.current(req);
    if (r.hang) return;
    res.writeHead(r.status, r.headers ?? {});
    res.end(r.body ?? '');
  });
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => { srv.closeAllConnections(); srv.close(() => resolve()); }));
  return { base: `http://127.0.0.1:${(srv.address() as AddressInfo).port}`, seen };
}

function source(t: { teardown(f: () => unknown): void }, url: string, timeoutMs = 2000) {
  const updates: PoolServer[][] = [];
  const alerts: string[] = [];
  const recovered: number[] = [];
  const src = new HttpSource(url, { clock: systemClock, intervalMs: 50, timeoutMs });
  src.start((s) => updates.push(s), (a) => alerts.push(a), () => recovered.push(alerts.length));
  t.teardown(() => src.stop());
  return { src, updates, alerts, recovered };
}
const line = (host: string, weight = 10) => `{ 'host': '${host}', 'weight': ${weight}, 'enabled': True }\n`;

t.test('conditional GET with ETag: 304 keeps the list, a new ETag delivers the change', async (t) => {
  let body = line('a') + line('b');
  let etag = '"v1"';
  const h = { current: ((req) => (req.headers['if-none-match'] === etag ? { status: 304 } : { status: 200, body, headers: { etag } })) as Handler };
  const { base, seen } = await server(t, h);
  const { updates, alerts } = source(t, `${base}/pools/web`);
  await waitFor('the first list', 2000, async () => updates.length === 1, 10);
  await waitFor('several conditional requests', 2000, async () => seen.filter((s) => s['if-none-match'] === '"v1"').length >= 3, 10);
  t.equal(updates.length, 1, '304 answers deliver nothing');
  body = line('a') + line('b', 30);
  etag = '"v2"';
  await waitFor('the changed list', 2000, async () => updates.length === 2, 10);
  t.same(updates[1], [{ host: 'a', weight: 10, enabled: true }, { host: 'b', weight: 30, enabled: true }]);
  t.same(alerts, []);
});

t.test('conditional GET with Last-Modified on a .json pool', async (t) => {
  const lm = 'Wed, 25 Nov 2026 04:00:00 GMT';
  const h = { current: ((req) => (req.headers['if-modified-since'] === lm ? { status: 304 }
    : { status: 200, body: '{"mw1": {"enabled": true, "weight": 10, "port": 8080}}', headers: { 'last-modified': lm } })) as Handler };
  const { base, seen } = await server(t, h);
  const { updates } = source(t, `${base}/pools/web.json`);
  await waitFor('the list', 2000, async () => updates.length === 1, 10);
  t.same(updates[0], [{ host: 'mw1', weight: 10, enabled: true, port: 8080 }]);
  await waitFor('an If-Modified-Since request', 2000, async () => seen.some((s) => s['if-modified-since'] === lm), 10);
});

t.test('HTTP 500, a timeout and a malformed body raise alerts and keep the last list', async (t) => {
  const good: Handler = () => ({ status: 200, body: line('a') + line('b') });
  const h = { current: good };
  const { base } = await server(t, h);
  const url = `${base}/pools/web`;
  const { src, updates, alerts } = source(t, url, 300);
  await waitFor('the first list', 2000, async () => updates.length === 1, 10);

  h.current = () => ({ status: 500, body: 'oops' });
  await waitFor('the 500 alert', 2000, async () => alerts.includes(`${url}: HTTP 500; keeping the previous 2 servers`), 10);

  h.current = () => ({ status: 200, hang: true });
  await waitFor('the timeout alert', 3000, async () => alerts.includes(`${url}: timed out after 300 ms; keeping the previous 2 servers`), 10);

  h.current = () => ({ status: 200, body: line('a') + "{ 'host': 'b', 'weight': 10, 'enabled': 'yes' }\n" + line('d') + "{ 'host': 'e', 'weight': '1' }\n" });
  await waitFor('the malformed-line alert', 2000, async () => alerts.some((a) => a.startsWith(`${url}:2: b: enabled must be True or False, got 'yes'`)), 10);
  await waitFor('the rest applied', 2000, async () => updates.length === 2, 10);
  t.same(updates[1], [{ host: 'a', weight: 10, enabled: true }, { host: 'b', weight: 10, enabled: true }, { host: 'd', weight: 10, enabled: true }],
    'b keeps its last good entry; e, new and bad, is not added');
  t.match(alerts[alerts.length - 1], /; kept the previous entry of b$/);

  h.current = () => ({ status: 200, body: '' });
  await waitFor('the empty-list alert', 2000, async () => alerts.some((a) => a.includes('no servers in the new list; keeping the previous 3')), 10);
  h.current = () => ({ status: 200, body: line('c') });
  await waitFor('the recovered list', 2000, async () => updates.length === 3, 10);
  t.same(src.last(), [{ host: 'c', weight: 10, enabled: true }]);
});

t.test('a server back with the same list (200, then 304): recovered without a new list', async (t) => {
  const body = line('a') + line('b');
  const h = { current: (() => ({ status: 200, body })) as Handler };
  const { base } = await server(t, h);
  const { updates, alerts, recovered } = source(t, `${base}/pools/web`);
  await waitFor('the first list', 2000, async () => updates.length === 1, 10);
  h.current = () => ({ status: 503 });
  await waitFor('the 503 alert', 2000, async () => alerts.length === 1, 10);
  t.same(recovered, [], 'no recovery while failing');
  h.current = () => ({ status: 200, body });
  await waitFor('the recovery', 2000, async () => recovered.length === 1, 10);
  h.current = () => ({ status: 502 });
  await waitFor('the 502 alert', 2000, async () => alerts.length === 2, 10);
  h.current = (req) => (req.headers['if-none-match'] === '"v1"' ? { status: 304 } : { status: 200, body, headers: { etag: '"v1"' } });
  await waitFor('the second recovery', 2000, async () => recovered.length === 2, 10);
  t.same(recovered, [1, 2], 'one recovery after each alert');
  t.equal(updates.length, 1, 'the list never changed, so it was never delivered again');
});

t.test('an unreachable server: alert, no list', async (t) => {
  const probe = http.createServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
  const port = (probe.address() as AddressInfo).port;
  await new Promise<void>((r) => probe.close(() => r()));
  const { src, alerts } = source(t, `http://127.0.0.1:${port}/pools/web`);
  await waitFor('the alert', 2000, async () => alerts.length > 0, 10);
  t.match(alerts[0], /ECONNREFUSED/);
  t.equal(src.last(), null);
});

t.test('https:// verifies the certificate', async (t) => {
  if (!needTools(t, 'openssl')) return;
  const dir = t.testdir();
  const certs = await makeCerts(dir);
  const srv = https.createServer({ cert: readFileSync(certs.cert), key: readFileSync(certs.key) }, (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('{"mw1": {"enabled": true, "weight": 10}}');
  });
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => { srv.closeAllConnections(); srv.close(() => resolve()); }));
  const url = `https://127.0.0.1:${(srv.address() as AddressInfo).port}/pools/web`;

  const updates: PoolServer[][] = [];
  const trusted = new HttpSource(url, { clock: systemClock, intervalMs: 50, ca: readFileSync(certs.ca) });
  trusted.start((s) => updates.push(s), () => {});
  t.teardown(() => trusted.stop());
  await waitFor('the list over TLS', 3000, async () => updates.length === 1, 10);
  t.same(updates[0], [{ host: 'mw1', weight: 10, enabled: true }], 'application/json content type selects JSON');

  const alerts: string[] = [];
  const untrusted = new HttpSource(url, { clock: systemClock, intervalMs: 50 });
  untrusted.start(() => t.fail('an unverified server must not deliver a list'), (a) => alerts.push(a));
  t.teardown(() => untrusted.stop());
  await waitFor('the certificate alert', 3000, async () => alerts.length > 0, 10);
  t.match(alerts[0], /unable to verify|self[- ]signed/);
});

t.test('URL userinfo is sent as basic auth, never shown; alerts hide it and query values', async (t) => {
  const body = line('a');
  const h = { current: ((req) => (req.headers.authorization === `Basic ${Buffer.from('vipd:s3cr:et').toString('base64')}`
    ? { status: 200, body } : { status: 401 })) as Handler };
  const { base, seen } = await server(t, h);
  const url = `${base.replace('http://', 'http://vipd:s3cr%3Aet@')}/pools/web?token=t0ken`;
  const { updates, alerts } = source(t, url);
  await waitFor('the list, authenticated', 2000, async () => updates.length === 1, 10);
  t.equal(seen[0]!.authorization, `Basic ${Buffer.from('vipd:s3cr:et').toString('base64')}`);
  h.current = () => ({ status: 200, body: line('a') + "{ 'host': 'b', 'weight': '1', 'enabled': True }\n" });
  await waitFor('the bad-line alert', 2000, async () => alerts.length === 1, 10);
  h.current = () => ({ status: 403 });
  await waitFor('the 403 alert', 2000, async () => alerts.length === 2, 10);
  const shown = `${base.replace('http://', 'http://***@')}/pools/web?token=***`;
  t.equal(alerts[0], `${shown}:2: b: weight must be an integer, got '1'`);
  t.equal(alerts[1], `${shown}: HTTP 403; keeping the previous 1 servers`);
  t.notOk(alerts.some((a) => /s3cr|t0ken/.test(a)), 'no secret in any alert');
});

t.test('a body over 16 MiB is cut off and refused whole (declared or streamed); the last list stays', async (t) => {
  const big = `# ${'x'.repeat(17 * 1024 * 1024)}\n`;
  const h = { current: (() => ({ status: 200, body: line('a') + line('b') })) as Handler };
  const { base } = await server(t, h);
  const url = `${base}/pools/web`;
  const { src, updates, alerts } = source(t, url);
  await waitFor('the first list', 2000, async () => updates.length === 1, 10);
  h.current = () => ({ status: 200, body: big, headers: { 'content-length': String(big.length) } });
  await waitFor('the refusal of a declared size', 3000, async () => alerts.length === 1, 10);
  t.equal(alerts[0], `${url}: pool text is 17 MiB, more than the limit of 16 MiB; refused whole, keeping the previous 2 servers`);
  h.current = () => ({ status: 200, body: big + line('c'), headers: { 'transfer-encoding': 'chunked' } });
  await waitFor('the refusal of a streamed body', 3000, async () => alerts.length === 2, 10);
  t.match(alerts[1], /^http:\/\/127\.0\.0\.1:\d+\/pools\/web: pool text is larger than the limit of 16 MiB \(cut off\); refused whole, keeping the previous 2 servers$/);
  t.same(src.last()!.map((s) => s.host), ['a', 'b']);
  t.equal(updates.length, 1);
});

t.test('a 100,000-line body is refused before parsing', async (t) => {
  const h = { current: (() => ({ status: 200, body: line('a') })) as Handler };
  const { base } = await server(t, h);
  const { updates, alerts } = source(t, `${base}/pools/web`);
  await waitFor('the first list', 2000, async () => updates.length === 1, 10);
  const body = Array.from({ length: 100_000 }, (_, i) => line(`mw${i}`)).join('');
  h.current = () => ({ status: 200, body });
  await waitFor('the refusal', 3000, async () => alerts.length === 1, 10);
  t.equal(alerts[0], `${base}/pools/web: pool text has 100000 server lines, more than pool-max-servers 10000; refused whole, keeping the previous 1 servers`);
  t.equal(updates.length, 1);
});
