import t from 'tap';
import { createMonitor } from './registry.js';
import { parseRunCommand } from './monitors/run-command.js';

const errorOf = (kind: string, options: Record<string, string | number | boolean | string[]>): string => {
  const r = createMonitor(kind, options);
  return r.ok ? '(no error)' : r.error;
};

t.test('PyBal defaults per kind', async (t) => {
  const cases: [string, Record<string, string>, number, number][] = [
    ['ProxyFetch', { url: 'http://a/' }, 10_000, 5_000],
    ['RunCommand', { command: '/bin/true' }, 60_000, 20_000],
    ['DNSQuery', { hostnames: 'a.test' }, 10_000, 5_000],
    ['UDP', {}, 10_000, 5_000],
    ['IdleConnection', {}, 1_000, 5_000],
    ['TCP', {}, 10_000, 5_000],
    ['TLS', {}, 10_000, 5_000],
  ];
  for (const [kind, opts, interval, timeout] of cases) {
    const m = createMonitor(kind, opts);
    if (!m.ok) { t.fail(m.error); continue; }
    t.same(m.value.schedule, { intervalMs: interval, timeoutMs: timeout, rise: 1, fall: 1 }, kind);
    t.equal(m.value.kind, kind);
  }
});

t.test('values as strings (vipd probe) or typed (pybal.conf) are the same', async (t) => {
  const a = createMonitor('ProxyFetch', { url: 'http://a/', interval: '2.5', timeout: 1, rise: '3', fall: 2, check_all: 'yes' });
  const b = createMonitor('ProxyFetch', { url: ['http://a/'], interval: 2.5, timeout: '1', rise: 3, fall: '2', check_all: true });
  t.ok(a.ok && b.ok);
  if (a.ok && b.ok) t.same(a.value.schedule, b.value.schedule);
  if (a.ok) t.same(a.value.schedule, { intervalMs: 2500, timeoutMs: 1000, rise: 3, fall: 2 });
});

t.test('RunCommand timeout 0 (PyBal: none) is bounded by the interval', async (t) => {
  const m = createMonitor('RunCommand', { command: '/bin/true', timeout: 0, interval: 30 });
  t.ok(m.ok);
  if (m.ok) t.equal(m.value.schedule.timeoutMs, 30_000);
});

t.test('every bad option is named in the error', async (t) => {
  t.equal(errorOf('ProxyFetch', {}), 'proxyfetch.url: is required');
  t.equal(errorOf('ProxyFetch', { url: 'ftp://a/' }), "proxyfetch.url: scheme must be http or https, got 'ftp://a/'");
  t.equal(errorOf('ProxyFetch', { url: 'not a url' }), "proxyfetch.url: not a valid URL: 'not a url'");
  t.equal(errorOf('ProxyFetch', { url: 'http://a/', timeout: 'abc' }), "proxyfetch.timeout: must be a number or auto, got 'abc'");
  t.equal(errorOf('ProxyFetch', { url: 'http://a/', interval: -1 }), 'proxyfetch.interval: must be at least 0.01, got -1');
  t.equal(errorOf('ProxyFetch', { url: 'http://a/', rise: '1.5' }), "proxyfetch.rise: must be an integer, got '1.5'");
  t.equal(errorOf('ProxyFetch', { url: 'http://a/', check_all: 'maybe' }), "proxyfetch.check_all: must be yes/no (true/false, on/off, 1/0), got 'maybe'");
  t.equal(errorOf('ProxyFetch', { url: 'http://a/', http_status: '99' }), "proxyfetch.http_status: must be a status 100-599, a list or a range like 200-299, got '99'");
  t.equal(errorOf('ProxyFetch', { url: 'http://a/', http_status: '300-200' }), "proxyfetch.http_status: must be a status 100-599, a list or a range like 200-299, got '300-200'");
  t.match(errorOf('ProxyFetch', { url: 'http://a/', 'expect-body': '(' }), /^proxyfetch\.expect-body: not a valid regular expression/);
  t.match(errorOf('ProxyFetch', { url: 'http://a/', timout: 3 }), /^proxyfetch\.timout: unknown option \(known: .*timeout/);
  t.equal(errorOf('RunCommand', { command: 'check.sh' }), "runcommand.command: must be an absolute path (there is no PATH), got 'check.sh'");
  t.equal(errorOf('RunCommand', { command: '/bin/true', env: ['NOEQUALS'] }), "runcommand.env: entries must be NAME=VALUE, got 'NOEQUALS'");
  t.equal(errorOf('RunCommand', {}), 'runcommand.command: is required');
  t.equal(errorOf('DNSQuery', { hostnames: [] }), 'dnsquery.hostnames: must not be empty');
  t.match(errorOf('DNSQuery', { hostnames: 'a..b' }), /^dnsquery\.hostnames: bad DNS name 'a\.\.b'/);
  t.equal(errorOf('DNSQuery', { hostnames: 'a.test', port: 70000 }), 'dnsquery.port: must be between 1 and 65535, got 70000');
  t.equal(errorOf('UDP', { 'icmp-timeout': 'x' }), "udp.icmp-timeout: must be a number, got 'x'");
  t.equal(errorOf('IdleConnection', { 'keepalive-retries': 0 }), 'idleconnection.keepalive-retries: must be at least 1, got 0');
  t.equal(errorOf('Ping', {}), "unknown monitor 'Ping' (known: ProxyFetch, IdleConnection, RunCommand, DNSQuery, UDP, TCP, TLS)");
});

t.test('RunCommand without arguments runs with none (not one empty argument)', async (t) => {
  const m = createMonitor('RunCommand', { command: '/bin/true' });
  t.ok(m.ok);
  t.same(parseRunCommand({ command: '/bin/true' }).arguments, []);
  t.same(parseRunCommand({ command: '/bin/sh', arguments: ['-c', ''] }).arguments, ['-c', ''], 'an empty argument inside the list is kept');
});

t.test('timeout = auto (issue 16 §5): learned under timeout-max; only request/answer monitors take it', async (t) => {
  const m = createMonitor('ProxyFetch', { url: 'http://a/', interval: '1', timeout: 'auto', 'timeout-max': '0.5' });
  if (!m.ok) { t.fail(m.error); return; }
  t.same(m.value.schedule, { intervalMs: 1000, timeoutMs: 500, rise: 1, fall: 1, auto: { ceilingMs: 500, floorMs: 25 } });
  const d = createMonitor('TCP', { timeout: 'AUTO' });
  t.same(d.ok && d.value.schedule.auto, { ceilingMs: 5000, floorMs: 25 }, 'the ceiling defaults to the monitor\'s timeout');
  const low = createMonitor('TCP', { timeout: 'auto', 'timeout-max': '0.01' });
  t.same(low.ok && low.value.schedule.auto, { ceilingMs: 10, floorMs: 10 }, 'the floor never above the ceiling');
  t.equal(createMonitor('ProxyFetch', { url: 'http://a/', timeout: '0.7', 'timeout-max': '2' }).ok && 'fixed', 'fixed');
  t.match(errorOf('IdleConnection', { timeout: 'auto' }), /idleconnection\.timeout: must be a number, got 'auto'/);
  t.match(errorOf('RunCommand', { command: '/bin/true', timeout: 'auto' }), /runcommand\.timeout: must be a number/);
  t.match(errorOf('TCP', { timeout: 'automatic' }), /tcp\.timeout: must be a number or auto, got 'automatic'/);
  t.match(errorOf('TCP', { timeout: 'auto', 'timeout-max': '0' }), /tcp\.timeout-max: must be at least 0.001/);
});
