/**
 * vipd's monitors and options, written in pybal.conf, check real servers (issue 12 §4): TCP, TLS,
 * ProxyFetch with http_status lists and ranges and expect-body. The config goes through
 * parseConfig and the daemon's own buildMonitors, exactly as `vipd run` builds them.
 */
import t, { type Test } from 'tap';
import { createServer as createHttpServer } from 'node:http';
import { createServer as createNetServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import { formatIssue, parseConfig, type ServiceConfig } from '../../src/config/index.js';
import { buildMonitors } from '../../src/cli/run/health-adapter.js';
import { checkWithTimeout, type CheckResult, type Monitor } from '../../src/health/index.js';
import { systemClock } from '../../src/time/clock.js';
import { selfSignedCert } from '../support/self-signed.js';

const IP = `127.44.${process.pid % 250}.7`;
const HOST = 'rs1.example.test';

async function listen(server: Server): Promise<number> {
  const open = new Set<Socket>();
  server.on('connection', (s: Socket) => { open.add(s); s.once('close', () => open.delete(s)); });
  await new Promise<void>((resolve, reject) => { server.once('error', reject); server.listen(0, IP, () => resolve()); });
  t.teardown(() => new Promise<void>((r) => { server.close(() => r()); for (const s of open) s.destroy(); }));
  return (server.address() as AddressInfo).port;
}

async function closedPort(): Promise<number> {
  const s = createNetServer();
  await new Promise<void>((r) => s.listen(0, IP, () => r()));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

const http = await listen(createHttpServer((req, res) => {
  const status = req.url === '/nocontent' ? 204 : req.url === '/teapot' ? 418 : 200;
  res.writeHead(status);
  res.end(status === 204 ? undefined : req.url === '/broken' ? 'status: broken\n' : 'status: ok\n');
}));

let vips = 0;
const section = (name: string, port: number, monitors: string, lines: string): string => `[${name}]
protocol = tcp
ip = 10.255.7.${++vips}
port = ${port}
scheduler = wrr
config = file:///etc/pybal/pools/${name}
monitors = ${monitors}
${lines}
`;

/** Parses the text with no error and no warning and builds each service's monitors. */
function build(t: Test, text: string): Map<string, Monitor[]> {
  const r = parseConfig(text, 'pybal.conf');
  t.same([...(r.ok ? [] : r.errors), ...r.warnings].map(formatIssue), [], 'pybal.conf is clean');
  const out = new Map<string, Monitor[]>();
  if (!r.ok) return out;
  for (const s of r.config.services as ServiceConfig[]) {
    const b = buildMonitors(s, {});
    if ('error' in b) { t.fail(b.error); continue; }
    out.set(s.name, b.monitors);
    t.teardown(() => { for (const m of b.monitors) m.close?.(); });
  }
  return out;
}

const check = (m: Monitor, port: number): Promise<CheckResult> => checkWithTimeout(m, { host: HOST, ip: IP, port }, systemClock);

t.test('ProxyFetch: http_status list and range, expect-body', async (t) => {
  const monitors = build(t, [
    section('list', http, "[ 'ProxyFetch' ]", "proxyfetch.url = [ 'http://www.example.test/nocontent' ]\nproxyfetch.http_status = [ 200, 204 ]\nproxyfetch.timeout = 2"),
    section('pybal', http, "[ 'ProxyFetch' ]", "proxyfetch.url = [ 'http://www.example.test/nocontent' ]\nproxyfetch.timeout = 2"),
    section('range', http, "[ 'ProxyFetch' ]", "proxyfetch.url = [ 'http://www.example.test/teapot' ]\nproxyfetch.http_status = 400-499\nproxyfetch.timeout = 2"),
    section('range-miss', http, "[ 'ProxyFetch' ]", "proxyfetch.url = [ 'http://www.example.test/ok' ]\nproxyfetch.http_status = 400-499, 503\nproxyfetch.timeout = 2"),
    section('body', http, "[ 'ProxyFetch' ]", "proxyfetch.url = [ 'http://www.example.test/ok' ]\nproxyfetch.expect-body = status:\\s*ok\nproxyfetch.timeout = 2"),
    section('body-miss', http, "[ 'ProxyFetch' ]", "proxyfetch.url = [ 'http://www.example.test/broken' ]\nproxyfetch.expect-body = status:\\s*ok\nproxyfetch.timeout = 2"),
  ].join('\n'));
  const one = async (name: string): Promise<CheckResult> => check(monitors.get(name)![0]!, http);
  const list = await one('list');
  t.equal(list.up, true, `204 is in [ 200, 204 ]: ${list.reason}`);
  const pybal = await one('pybal');
  t.equal(pybal.up, false, `without http_status, 204 is down as in PyBal: ${pybal.reason}`);
  const range = await one('range');
  t.equal(range.up, true, `418 is in 400-499: ${range.reason}`);
  const miss = await one('range-miss');
  t.equal(miss.up, false, `200 is not in 400-499,503: ${miss.reason}`);
  t.match(miss.reason, /HTTP 200/);
  const body = await one('body');
  t.equal(body.up, true, `the body matches: ${body.reason}`);
  const bodyMiss = await one('body-miss');
  t.equal(bodyMiss.up, false, `the body does not match: ${bodyMiss.reason}`);
});

t.test('TCP: connect up, refused down', async (t) => {
  const monitors = build(t, section('tcp', http, "[ 'TCP' ]", 'tcp.timeout = 1\ntcp.interval = 2'));
  const tcp = monitors.get('tcp')![0]!;
  t.equal(tcp.schedule.timeoutMs, 1000, 'tcp.timeout reached the monitor');
  t.equal(tcp.schedule.intervalMs, 2000, 'tcp.interval reached the monitor');
  t.equal((await check(tcp, http)).up, true);
  const refused = await check(tcp, await closedPort());
  t.equal(refused.up, false);
  t.match(refused.reason, /ECONNREFUSED/);
});

t.test('TLS: handshake up with the expiry warning, verify fails on a self-signed certificate, plain port down', async (t) => {
  const pair = selfSignedCert(t, HOST, { days: 3 });
  if (!pair) return;
  const tls = await listen(createTlsServer(pair, (s) => s.end()));
  const monitors = build(t, [
    section('tls', tls, "[ 'TLS' ]", `tls.servername = ${HOST}\ntls.expiry-warn-days = 30\ntls.timeout = 1`),
    section('tls-verify', tls, "[ 'TLS' ]", 'tls.verify = yes\ntls.timeout = 1'),
  ].join('\n'));
  const ok = await check(monitors.get('tls')![0]!, tls);
  t.equal(ok.up, true, ok.reason);
  t.match(ok.reason, /certificate expires in 2 days/, 'tls.expiry-warn-days reached the monitor');
  const verify = await check(monitors.get('tls-verify')![0]!, tls);
  t.equal(verify.up, false, 'tls.verify = yes reached the monitor');
  t.match(verify.reason, /self[- ]signed/i);
  const plain = await check(monitors.get('tls')![0]!, http);
  t.equal(plain.up, false, `an HTTP port is no TLS: ${plain.reason}`);
});
