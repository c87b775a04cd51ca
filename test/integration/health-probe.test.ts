import t from 'tap';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

// Runs the built CLI (`npm test` builds dist/ first).
const CLI = 'dist/cli/main.js';
const IP = `127.44.${process.pid % 250}.3`;

interface Run { code: number; stdout: string; stderr: string }
const vipd = (args: string[]): Promise<Run> => new Promise((resolve) => {
  execFile(process.execPath, [CLI, ...args], { timeout: 20_000 }, (err, stdout, stderr) => {
    const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : -1) : 0;
    resolve({ code, stdout, stderr });
  });
});

t.ok(existsSync(CLI), 'the CLI is built (npm run build)');

const server = createServer((req, res) => { res.writeHead(req.url === '/down' ? 503 : 200); res.end('ok'); });
await new Promise<void>((r) => server.listen(0, IP, () => r()));
t.teardown(() => { server.close(); server.closeAllConnections(); });
const port = String((server.address() as AddressInfo).port);

t.test('ProxyFetch up: one JSON object per result, exit 0', async (t) => {
  const r = await vipd(['probe', 'ProxyFetch', '--host', 'web1', '--ip', IP, '--port', port,
    '--option', 'url=http://web1.example.test/health', '--count', '2', '--interval', '0.05']);
  t.equal(r.code, 0, r.stderr);
  const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { up: boolean; reason: string; ms: number });
  t.equal(lines.length, 2);
  for (const l of lines) {
    t.equal(l.up, true);
    t.match(l.reason, /HTTP 200/);
    t.type(l.ms, 'number');
  }
});

t.test('down: exit 1; the last result decides', async (t) => {
  const r = await vipd(['probe', 'ProxyFetch', '--host', IP, '--port', port, '--option', 'url=http://x/down']);
  t.equal(r.code, 1);
  t.match(JSON.parse(r.stdout) as object, { up: false, reason: /HTTP 503/ });
  const tcp = await vipd(['probe', 'TCP', '--host', IP, '--port', port]);
  t.equal(tcp.code, 0);
  t.match(JSON.parse(tcp.stdout) as object, { up: true, reason: 'connected' });
});

t.test('bad arguments: exit 2 with a message naming the option', async (t) => {
  const badKey = await vipd(['probe', 'ProxyFetch', '--host', IP, '--port', port, '--option', 'url=http://x/', '--option', 'timeout=soon']);
  t.equal(badKey.code, 2);
  t.match(badKey.stderr, /proxyfetch\.timeout: must be a number, got 'soon'/);
  t.equal(badKey.stdout, '');
  const unknown = await vipd(['probe', 'DNSQuery', '--host', IP, '--port', '53', '--option', 'hostnames=a.test', '--option', 'hostname=b.test']);
  t.equal(unknown.code, 2);
  t.match(unknown.stderr, /dnsquery\.hostname: unknown option/);
  const noEq = await vipd(['probe', 'TCP', '--host', IP, '--port', port, '--option', 'timeout']);
  t.equal(noEq.code, 2);
  t.match(noEq.stderr, /--option must be KEY=VALUE, got 'timeout'/);
  const badKind = await vipd(['probe', 'Ping', '--host', IP, '--port', port]);
  t.equal(badKind.code, 2);
  t.match(badKind.stderr, /Ping/);
  const badPort = await vipd(['probe', 'TCP', '--host', IP, '--port', '70000']);
  t.equal(badPort.code, 2);
  t.match(badPort.stderr, /--port must be 1-65535/);
  const badIp = await vipd(['probe', 'TCP', '--host', 'x', '--ip', '10.0.0', '--port', port]);
  t.equal(badIp.code, 2);
  t.match(badIp.stderr, /--ip must be an IPv4 or IPv6 address, got '10.0.0'/);
});
