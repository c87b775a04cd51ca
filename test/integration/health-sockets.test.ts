import t from 'tap';
import { createSocket } from 'node:dgram';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import { createMonitor, checkWithTimeout, type Monitor, type MonitorOptions, type Target } from '../../src/health/index.js';
import { systemClock } from '../../src/time/clock.js';
import { selfSignedCert } from '../support/self-signed.js';

const IP = `127.44.${process.pid % 250}.2`;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function listen(server: Server): Promise<{ port: number; sockets: Set<Socket> }> {
  const sockets = new Set<Socket>();
  server.on('connection', (s: Socket) => { sockets.add(s); s.once('close', () => sockets.delete(s)); });
  await new Promise<void>((r) => server.listen(0, IP, () => r()));
  t.teardown(() => new Promise<void>((r) => { server.close(() => r()); for (const s of sockets) s.destroy(); }));
  return { port: (server.address() as AddressInfo).port, sockets };
}

function make(kind: string, options: MonitorOptions): Monitor {
  const m = createMonitor(kind, options);
  if (!m.ok) throw new Error(m.error);
  t.teardown(() => m.value.close?.());
  return m.value;
}

const at = (port: number): Target => ({ host: 'rs1.example.test', ip: IP, port });

async function closedTcpPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, IP, () => r()));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

t.test('TCP: connect succeeds is up; refused is down', async (t) => {
  const { port } = await listen(createServer((s) => s.end()));
  const tcp = make('TCP', { timeout: 0.5 });
  t.equal((await checkWithTimeout(tcp, at(port), systemClock)).up, true);
  const refused = await checkWithTimeout(tcp, at(await closedTcpPort()), systemClock);
  t.equal(refused.up, false);
  t.match(refused.reason, /ECONNREFUSED/);
});

t.test('TLS: handshake up, expiry warning, verification, plain port down', async (t) => {
  const pair = selfSignedCert(t, 'rs1.example.test', { days: 3 });
  if (!pair) return;
  let sni: string | undefined;
  const server = createTlsServer({
    ...pair,
    SNICallback: (name, cb) => { sni = name; cb(null); },
  }, (s) => s.end());
  const { port } = await listen(server);
  const ok = await checkWithTimeout(make('TLS', {}), at(port), systemClock);
  t.equal(ok.up, true, ok.reason);
  for (let i = 0; i < 50 && sni === undefined; i++) await sleep(10);
  t.equal(sni, 'rs1.example.test', 'SNI is the server host');
  t.match(ok.reason, /handshake ok \(TLSv1\.3\)/);
  const warn = await checkWithTimeout(make('TLS', { 'expiry-warn-days': 30 }), at(port), systemClock);
  t.equal(warn.up, true);
  t.match(warn.reason, /certificate expires in 2 days/);
  t.equal(warn.details?.warning, true);
  const verify = await checkWithTimeout(make('TLS', { verify: 'yes' }), at(port), systemClock);
  t.equal(verify.up, false);
  t.match(verify.reason, /self[- ]signed/i);
  const { port: plainPort } = await listen(createServer(() => { /* never speaks TLS */ }));
  const plain = await checkWithTimeout(make('TLS', { timeout: 0.3 }), at(plainPort), systemClock);
  t.equal(plain.up, false);
  t.match(plain.reason, /timeout/);
});

t.test('UDP: open port up; closed port down until icmp-timeout passes without errors', async (t) => {
  const open = createSocket('udp4');
  let received = 0;
  open.on('message', () => { received++; });
  await new Promise<void>((r) => open.bind(0, IP, () => r()));
  t.teardown(() => open.close());
  const openPort = (open.address() as AddressInfo).port;
  const udp = make('UDP', { 'icmp-timeout': 0.4, wait: 0.05 });
  const up = await checkWithTimeout(udp, at(openPort), systemClock);
  t.equal(up.up, true, up.reason);
  t.equal(received, 1, 'one empty datagram per check');

  // A port that flips: closed (ICMP port unreachable) then opened again.
  const probe = createSocket('udp4');
  await new Promise<void>((r) => probe.bind(0, IP, () => r()));
  const flipPort = (probe.address() as AddressInfo).port;
  await new Promise<void>((r) => probe.close(() => r()));
  const down = await checkWithTimeout(udp, at(flipPort), systemClock);
  t.equal(down.up, false);
  t.match(down.reason, /ICMP error .*ECONNREFUSED/);
  const reopened = createSocket('udp4');
  await new Promise<void>((r) => reopened.bind(flipPort, IP, () => r()));
  t.teardown(() => reopened.close());
  const still = await checkWithTimeout(udp, at(flipPort), systemClock);
  t.equal(still.up, false, 'still down inside the icmp-timeout window');
  await sleep(450);
  const back = await checkWithTimeout(udp, at(flipPort), systemClock);
  t.equal(back.up, true, back.reason);
});

t.test('IdleConnection: up while connected; RST is down; FIN reconnects at once', async (t) => {
  const { port, sockets } = await listen(createServer(() => { /* hold the connection */ }));
  const idle = make('IdleConnection', { 'timeout-clean-reconnect': 0.5, timeout: 1 });
  const target = at(port);
  const first = await checkWithTimeout(idle, target, systemClock);
  t.equal(first.up, true, first.reason);
  await sleep(50);
  t.equal(sockets.size, 1, 'one idle connection is held');

  // Clean close (FIN): an immediate reconnect keeps the server up.
  for (const s of sockets) s.end();
  await sleep(100);
  const afterFin = await checkWithTimeout(idle, target, systemClock);
  t.equal(afterFin.up, true, afterFin.reason);
  t.equal(sockets.size, 1, 'reconnected');

  // Unclean loss (RST): down, and the reconnect waits for the backoff.
  for (const s of sockets) s.resetAndDestroy();
  await sleep(100);
  const afterRst = await checkWithTimeout(idle, target, systemClock);
  t.equal(afterRst.up, false);
  t.match(afterRst.reason, /lost uncleanly: .*ECONNRESET/);
  // The backoff starts at about 1 s; then the connection comes back.
  let back = afterRst;
  for (let i = 0; i < 30 && !back.up; i++) { await sleep(100); back = await checkWithTimeout(idle, target, systemClock); }
  t.equal(back.up, true, 'reconnected after the backoff');
});

t.test('IdleConnection: FIN followed by a refused reconnect is down', async (t) => {
  const server = createServer(() => {});
  const { port, sockets } = await listen(server);
  const idle = make('IdleConnection', { 'timeout-clean-reconnect': 0.5, timeout: 1 });
  const target = at(port);
  t.equal((await checkWithTimeout(idle, target, systemClock)).up, true);
  await sleep(50);
  server.close();
  for (const s of sockets) s.end();
  await sleep(150);
  const r = await checkWithTimeout(idle, target, systemClock);
  t.equal(r.up, false);
  t.match(r.reason, /ECONNREFUSED/);
  const never = await checkWithTimeout(make('IdleConnection', { timeout: 0.5 }), at(await closedTcpPort()), systemClock);
  t.equal(never.up, false);
  t.match(never.reason, /ECONNREFUSED/);
});
