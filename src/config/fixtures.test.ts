import t from 'tap';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatIssue } from './issues.js';
import { printConfig } from './print.js';
import { parseConfig } from './schema.js';
import type { VipdConfig } from './types.js';

const DIR = 'test/fixtures/config';
const confs = readdirSync(DIR).filter((f) => f.endsWith('.conf'));

function parse(text: string, name: string): VipdConfig {
  const r = parseConfig(text, name);
  if (!r.ok) throw new Error(r.errors.map(formatIssue).join('\n'));
  return r.config;
}
const withoutLines = (c: VipdConfig) => JSON.parse(JSON.stringify({ ...c, file: '' }, (k, v) => (k === 'line' ? undefined : v)));

t.test('the fixture folder is not empty', async (t) => {
  t.ok(confs.length >= 3, `found ${confs.join(', ')}`);
});

for (const f of confs) {
  t.test(`${f}: canonical print matches the stored expectation and round-trips`, async (t) => {
    const path = join(DIR, f);
    const r = parseConfig(readFileSync(path, 'utf8'), path);
    t.same(r.ok ? [] : r.errors.map(formatIssue), [], 'no errors');
    t.same(r.warnings.map(formatIssue), [], 'no warnings');
    if (!r.ok) return;
    const printed = printConfig(r.config);
    t.equal(printed, readFileSync(path.replace(/\.conf$/, '.expected'), 'utf8'));
    const again = parse(printed, 'printed');
    t.same(withoutLines(again), withoutLines(r.config), 'the printed text parses to the same config');
    t.equal(printConfig(again), printed);
  });
}

t.test("the seed's shape: three services, several monitors, server.host in runcommand.arguments", async (t) => {
  const c = parse(readFileSync(join(DIR, 'pybal-seed.conf'), 'utf8'), 'pybal-seed.conf');
  t.same(c.services.map((s) => s.name), ['text', 'upload', 'bits']);
  t.same(c.services.map((s) => s.monitors.map((m) => m.name)), [
    ['ProxyFetch', 'IdleConnection'], ['ProxyFetch', 'IdleConnection'], ['RunCommand', 'IdleConnection'],
  ]);
  const bits = c.services[2]!;
  t.same(bits.monitors[0]!.options, {
    command: '/etc/pybal/runcommand/check-apache',
    arguments: ['/etc/pybal/runcommand/check-apache', { ref: 'host' }],
    interval: 60, timeout: 10, 'log-output': true,
  });
  t.same(c.services[0]!.monitors[0]!.options.url, ['http://en.wikipedia.org/wiki/Main_Page']);
  t.same(c.services.map((s) => [s.ip, s.port, s.scheduler, s.bgp, s.depoolThreshold, s.forwarding]), [
    ['10.0.0.1', 80, 'wrr', false, 0.5, 'dr'], ['10.0.0.2', 80, 'wrr', false, 0.5, 'dr'], ['10.0.0.3', 80, 'wrr', false, 0.5, 'dr'],
  ]);
  t.equal(c.global.bgp, false);
});

t.test("PyBal's BGP keys: peers list, as-path, next hops, shared VIP, [DEFAULT]", async (t) => {
  const c = parse(readFileSync(join(DIR, 'pybal-bgp.conf'), 'utf8'), 'pybal-bgp.conf');
  t.match(c.global, {
    bgp: true, bgpLocalAsn: 64600, bgpAsPath: [64600, 64600], bgpMed: 0,
    bgpNexthopIpv4: '10.255.0.1', bgpNexthopIpv6: 'fd00:255::1', bgpLocalIps: ['10.255.0.1'],
    instrumentation: true, instrumentationPort: 9090, instrumentationIps: ['127.0.0.1', '::1'],
  });
  t.same(c.global.bgpPeers.map((p) => [p.address, p.holdTime, p.peerAs]), [['10.255.0.2', 180, null], ['10.255.0.3', 180, null]]);
  t.same(c.services.map((s) => [s.name, s.protocol, s.ip, s.family, s.port, s.scheduler]), [
    ['text_80', 'tcp', '10.2.0.1', 4, 80, 'wrr'], ['text_443', 'tcp', '10.2.0.1', 4, 443, 'sh'],
    ['text6_443', 'tcp', '2001:db8::1', 6, 443, 'sh'], ['dns_53', 'udp', '10.3.0.1', 4, 53, 'wrr'],
  ]);
  t.match(c.services[0]!.monitors[0]!.options, { check_all: true, max_failures: 1, url: ['http://en.wikipedia.org/wiki/Special:BlankPage', 'https://en.wikipedia.org/wiki/Main_Page'] });
  t.equal(c.services[3]!.ops, true);
  t.same(c.services[3]!.monitors.map((m) => [m.kind, m.options.interval]), [['dnsquery', 10], ['udp', 5]]);
});

t.test("vipd's extended keys", async (t) => {
  const c = parse(readFileSync(join(DIR, 'vipd-extended.conf'), 'utf8'), 'vipd-extended.conf');
  const [p2, p3] = c.global.bgpPeers;
  t.match(p2, { address: '10.255.0.2', holdTime: 90, keepalive: 30, communities: [64600 * 65536 + 100, 0xffffff01], gracefulShutdownWait: 5 });
  t.match(p3, { address: '10.255.0.3', peerAs: 64512, holdTime: 30, keepalive: 10, passive: true, routerId: '10.255.0.1', localAddress: '10.255.0.1', maxPrefixes: 100, communities: [0xffff0000] });
  t.match(c.services[0], { forwarding: 'nat', persistence: 300, poolInterval: 2.5, poolTimeout: 2, bgpMed: 10, bgpWithdrawPolicy: 'below-threshold', bgpDegradedMed: 100 });
  t.match(c.services[0]!.monitors, [
    { kind: 'proxyfetch', rise: 3, fall: 2, options: { url: ['http://localhost/health%3Fdeep'] } },
    { kind: 'runcommand', options: { timeout: 0, arguments: ['--host', { ref: 'host' }, '--ip', { ref: 'ip' }, '--port', { ref: 'port' }, '--weight', { ref: 'weight' }] } },
  ]);
});
