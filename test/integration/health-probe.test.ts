import t from 'tap';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startDnsmasq } from '../lab/dnsmasq.js';
import { requireTool } from '../support/require-tool.js';

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
  t.match(badKey.stderr, /proxyfetch\.timeout: must be a number or auto, got 'soon'/);
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

// Issue 12 §5: --option values as pybal.conf writes them, through the same literal reader.
t.test('--option takes pybal.conf literals: url list, http_status, a bare url', async (t) => {
  const list = await vipd(['probe', 'ProxyFetch', '--host', 'web1', '--ip', IP, '--port', port,
    '--option', "url=['http://web1.example.test/health', 'http://web1.example.test/down']", '--option', 'check_all=yes']);
  t.equal(list.code, 1, 'both URLs are checked: the list is a list, not one URL');
  t.match(JSON.parse(list.stdout) as object, { up: false, reason: /web1\.example\.test\/down: HTTP 503/ });
  t.notMatch(list.stdout, /\['http/, 'no URL is the literal text');
  const status = await vipd(['probe', 'ProxyFetch', '--host', 'web1', '--ip', IP, '--port', port,
    '--option', "url=['http://web1.example.test/down']", '--option', 'http_status=[ 200, 503 ]']);
  t.equal(status.code, 0, `503 is in [ 200, 503 ]: ${status.stdout}${status.stderr}`);
  const bare = await vipd(['probe', 'ProxyFetch', '--host', 'web1', '--ip', IP, '--port', port, '--option', 'url=http://web1.example.test/health']);
  t.equal(bare.code, 0, 'a bare URL is one string');
  const broken = await vipd(['probe', 'ProxyFetch', '--host', 'web1', '--ip', IP, '--port', port, '--option', "url=['http://x/'"]);
  t.equal(broken.code, 2);
  t.match(broken.stderr, /proxyfetch\.url: missing '\]'/);
  const twice = await vipd(['probe', 'ProxyFetch', '--host', 'web1', '--ip', IP, '--port', port, '--option', 'url=http://a/', '--option', 'url=http://b/']);
  t.equal(twice.code, 2);
  t.match(twice.stderr, /--option url given twice; write a list once/);
});

t.test("--option arguments=['-c', ...] runs a real command with those arguments", async (t) => {
  const up = await vipd(['probe', 'RunCommand', '--host', 'app1.example.test', '--ip', IP, '--port', port,
    '--option', 'command=/bin/sh', '--option', `arguments=['-c', 'test "$1" = app1.example.test && exit 0; exit 3', 'probe', server.host]`]);
  t.equal(up.code, 0, `${up.stdout}${up.stderr}`);
  t.match(JSON.parse(up.stdout) as object, { up: true, reason: /exit code 0/ });
  const down = await vipd(['probe', 'RunCommand', '--host', 'app1.example.test', '--ip', IP, '--port', port,
    '--option', 'command=/bin/sh', '--option', "arguments=['-c', 'exit 3']"]);
  t.equal(down.code, 1);
  t.match(JSON.parse(down.stdout) as object, { up: false, reason: /exit code 3/ });
  const none = await vipd(['probe', 'RunCommand', '--host', 'app1', '--ip', IP, '--port', port, '--option', 'command=/bin/true']);
  t.equal(none.code, 0, `no arguments: runs with none: ${none.stdout}${none.stderr}`);
});

t.test("--option hostnames=['www.example.test'] asks a real DNS server for that name", async (t) => {
  const bin = requireTool(t, 'dnsmasq', 'the real DNS server for DNSQuery');
  if (!bin) return;
  const dnsIp = `127.44.${process.pid % 250}.56`;
  const dnsPort = String(await startDnsmasq(t, bin, dnsIp));
  const up = await vipd(['probe', 'DNSQuery', '--host', 'ns1', '--ip', dnsIp, '--port', '53',
    '--option', "hostnames=['www.example.test']", '--option', `port=${dnsPort}`, '--option', 'fail-on-nxdomain=yes']);
  t.equal(up.code, 0, `${up.stdout}${up.stderr}`);
  const nx = await vipd(['probe', 'DNSQuery', '--host', 'ns1', '--ip', dnsIp, '--port', '53',
    '--option', "hostnames=['nope.example.test']", '--option', `port=${dnsPort}`, '--option', 'fail-on-nxdomain=yes']);
  t.equal(nx.code, 1, 'another name in the list form is asked for, and is NXDOMAIN');
  t.match(nx.stdout, /NXDOMAIN/);
});
