import t from 'tap';
import { formatIssue } from './issues.js';
import { parseConfig } from './schema.js';

const SVC = "protocol = tcp\nip = 10.2.0.1\nport = 80\nscheduler = wrr\nconfig = file:///etc/pybal/pools/web\nmonitors = [ 'IdleConnection' ]\n";

function errorsOf(text: string): string[] {
  const r = parseConfig(text, 'f.conf');
  t.equal(r.ok, false, 'expected errors');
  return r.ok ? [] : r.errors.map(formatIssue);
}
function warningsOf(text: string): string[] {
  const r = parseConfig(text, 'f.conf');
  if (!r.ok) throw new Error(r.errors.map(formatIssue).join('\n'));
  return r.warnings.map(formatIssue);
}
function configOf(text: string) {
  const r = parseConfig(text, 'f.conf');
  if (!r.ok) throw new Error(r.errors.map(formatIssue).join('\n'));
  return r.config;
}

t.test('a minimal service gets PyBal defaults', async (t) => {
  const c = configOf(`[web]\n${SVC}`);
  t.same(c.global.bgp, false);
  t.match(c.services[0], {
    name: 'web', line: 1, protocol: 'tcp', ip: '10.2.0.1', family: 4, port: 80, scheduler: 'wrr', ops: false,
    forwarding: 'dr', persistence: null, depoolThreshold: 0.5, bgp: true, bgpMed: 0, bgpWithdrawPolicy: 'all-down',
    bgpDegradedMed: null, poolInterval: 1, poolTimeout: 5,
    monitors: [{ name: 'IdleConnection', kind: 'idleconnection', rise: 1, fall: 1, options: { 'max-delay': 300, keepalive: true } }],
  });
});

t.test('missing required keys are errors at the section line', async (t) => {
  t.same(errorsOf('[web]\nport = 80\n'), [
    "f.conf:1: [web] missing required key 'protocol'",
    "f.conf:1: [web] missing required key 'ip'",
    "f.conf:1: [web] missing required key 'scheduler'",
    "f.conf:1: [web] missing required key 'config'",
  ]);
  t.same(errorsOf("[web]\n" + SVC.replace("[ 'IdleConnection' ]", "[ 'ProxyFetch' ]")), ["f.conf:1: [web] missing required key 'proxyfetch.url'"]);
  t.same(errorsOf("[web]\n" + SVC.replace("[ 'IdleConnection' ]", "[ 'RunCommand' ]")), ["f.conf:1: [web] missing required key 'runcommand.command'"]);
});

t.test('wrong types name the key, the value and the line', async (t) => {
  const bad = (key: string, value: string) => errorsOf(`[web]\n${SVC}${key} = ${value}\n`);
  t.same(bad('port', 'eighty'), ["f.conf:8: [web] port must be an integer, got 'eighty'"]);
  t.same(bad('ops', 'maybe'), ["f.conf:8: [web] ops must be a boolean (yes/no, true/false, on/off, 1/0), got 'maybe'"]);
  t.same(bad('depool-threshold', 'half'), ["f.conf:8: [web] depool-threshold must be a number, got 'half'"]);
  t.same(bad('scheduler', 'wwr'), ["f.conf:8: [web] scheduler must be one of rr, wrr, lc, wlc, lblc, lblcr, dh, sh, sed, nq, mh, fo, ovf, twos, got 'wwr' (did you mean 'wrr'?)"]);
  t.same(bad('protocol', 'sctp'), ["f.conf:8: [web] protocol must be one of tcp, udp, got 'sctp' (did you mean 'tcp'?)"]);
  t.same(bad('ip', '10.2.0.300'), ["f.conf:8: [web] ip must be an IP address, got '10.2.0.300'"]);
  t.same(bad('config', 'ftp://x/y'), ["f.conf:8: [web] config: unsupported scheme 'ftp:' (use file://, http://, https://, etcd://, etcd3://, etcd3s://)"]);
  t.same(bad('config', '/etc/pybal/web'), ["f.conf:8: [web] config must be a pool URL (file:///path, http://, https://, etcd://host:port/prefix), got '/etc/pybal/web'"]);
  t.same(bad('config', 'file://etc/pybal/web'), ["f.conf:8: [web] config: a file URL needs three slashes and an absolute path (file:///etc/pybal/pools/x), got 'file://etc/pybal/web'"]);
  t.same(bad('config', 'etcd://conf1001:2379'), ["f.conf:8: [web] config: an etcd URL needs a key directory (etcd://host:2379/conftool/v1/pools/...)"]);
  t.same(bad('port', '70000'), ['f.conf:8: [web] port must be between 0 and 65535, got 70000']);
  t.same(bad('ipvs-forwarding', 'masq'), ["f.conf:8: [web] ipvs-forwarding must be one of dr, tun, nat, got 'masq'"]);
  t.same(bad('bgp-withdraw-policy', 'al-down'), ["f.conf:8: [web] bgp-withdraw-policy must be one of all-down, below-threshold, never, got 'al-down' (did you mean 'all-down'?)"]);
  t.same(bad('idleconnection.rise', '0'), ['f.conf:8: [web] idleconnection.rise must be between 1 and 1000, got 0']);
  t.same(bad('ops', 'yes'), ['f.conf:8: [web] ops (one-packet scheduling) is only allowed with protocol = udp']);
});

t.test('python literal errors carry file:line:column', async (t) => {
  const e = errorsOf(`[web]\n${SVC.replace("monitors = [ 'IdleConnection' ]", "monitors = [ 'IdleConnection'")}`);
  t.same(e, ["f.conf:7:30: [web] monitors: missing ']'"]);
  const joined = warningsOf(`[web]\n${SVC.replace("monitors = [ 'IdleConnection' ]", "monitors = [ 'ProxyFetch',\n   'Idle' 'Connection' ]\nproxyfetch.url = 'http://h/'")}`);
  t.same(joined, []);
  const cont2 = errorsOf(`[web]\n${SVC.replace("monitors = [ 'IdleConnection' ]", "monitors = [ 'ProxyFetch',\n   IdleConnection ]")}`);
  t.same(cont2, ["f.conf:8:4: [web] monitors: unknown name 'IdleConnection' (quote strings)"]);
  t.same(errorsOf(`[web]\n${SVC}monitors = 'IdleConnection'\n`), ["f.conf:8: [web] monitors must be a list of strings, got a string, e.g. [ 'ProxyFetch', 'IdleConnection' ]"]);
  t.same(errorsOf(`[web]\n${SVC}runcommand.arguments = [ server.name ]\nmonitors = ['RunCommand']\nruncommand.command = /bin/true\n`),
    ["f.conf:8:26: [web] runcommand.arguments: unknown reference 'server.name' (known: server.host, server.ip, server.port, server.weight)"]);
  t.same(errorsOf(`[web]\n${SVC}runcommand.arguments = '-v'\nmonitors = ['RunCommand']\nruncommand.command = /bin/true\n`),
    ["f.conf:8: [web] runcommand.arguments must be a list, e.g. [ '/usr/local/bin/check', server.host ], got the string '-v'"]);
  t.same(errorsOf(`[web]\n${SVC}runcommand.arguments = [ '-v', None ]\nmonitors = ['RunCommand']\nruncommand.command = /bin/true\n`),
    ['f.conf:8: [web] runcommand.arguments may contain strings and server.host/ip/port/weight, found None']);
  t.same(errorsOf(`[web]\n${SVC}monitors = ['ProxyFetch']\nproxyfetch.url = []\n`), ['f.conf:9: [web] proxyfetch.url must not be empty']);
  t.same(errorsOf(`[web]\n${SVC}monitors = ['DNSQuery']\ndnsquery.hostnames = [ 'a', 1 ]\n`), ['f.conf:9: [web] dnsquery.hostnames must contain only strings, found the number 1']);
  // vipd's monitors and options, checked by the catalogue (src/health/catalogue), with file:line.
  t.same(errorsOf(`[web]\n${SVC}monitors = ['ProxyFetch']\nproxyfetch.url = 'http://h/'\nproxyfetch.http_status = 300-200\n`),
    ["f.conf:10: [web] proxyfetch.http_status must be a status 100-599, a list or a range like 200-299, got '300-200'"]);
  t.match(errorsOf(`[web]\n${SVC}monitors = ['ProxyFetch']\nproxyfetch.url = 'http://h/'\nproxyfetch.expect-body = (\n`),
    [/^f\.conf:10: \[web\] proxyfetch\.expect-body not a valid regular expression: /]);
  t.same(errorsOf(`[web]\n${SVC}monitors = ['TLS', 'TCP']\ntls.verify = maybe\ntcp.timeout = 0\n`), [
    "f.conf:9: [web] tls.verify must be yes/no (true/false, on/off, 1/0), got 'maybe'",
    'f.conf:10: [web] tcp.timeout must be at least 0.001, got 0',
  ]);
  t.same(errorsOf(`[web]\n${SVC}monitors = ['ProxyFetch']\nproxyfetch.url = [ 'ftp://h/' ]\n`), ["f.conf:9: [web] proxyfetch.url scheme must be http or https, got 'ftp://h/'"]);
});

t.test('unknown keys warn and name the nearest known key', async (t) => {
  t.same(warningsOf(`[global]\nbgp-med = 0\nbgp-nexthop-ip4 = 10.0.0.1\n[web]\n${SVC}depool-treshold = .5\nproxyfetch.urls = x\nidleconnection.max-dealy = 3\n`), [
    "f.conf:3: [global] unknown key 'bgp-nexthop-ip4' (did you mean 'bgp-nexthop-ipv4'?)",
    "f.conf:11: [web] unknown key 'depool-treshold' (did you mean 'depool-threshold'?)",
    "f.conf:12: [web] unknown key 'proxyfetch.urls' (did you mean 'proxyfetch.url'?)",
    "f.conf:13: [web] unknown key 'idleconnection.max-dealy' (did you mean 'idleconnection.max-delay'?)",
  ]);
  t.same(warningsOf(`[web]\n${SVC}proxyfetch.url = 'http://h/'\nmonitors = [ 'IdleConnection', 'Ping' ]\n`), [
    "f.conf:8: [web] 'proxyfetch.url' is set but ProxyFetch is not in monitors",
    "f.conf:9: [web] 'monitors' is set again (first at line 7): this value (line 9) wins",
    "f.conf:9: [web] unknown monitor 'Ping' skipped (known: ProxyFetch, IdleConnection, RunCommand, DNSQuery, UDP, TCP, TLS)",
  ]);
  t.same(warningsOf(`[web]\n${SVC.replace("monitors = [ 'IdleConnection' ]\n", '')}`), ["f.conf:1: [web] has no 'monitors': its servers are never checked"]);
});

t.test('BGP: VIP family without a next hop, MED conflicts, peers, ASN', async (t) => {
  const G = '[global]\nbgp = yes\nbgp-local-asn = 64600\nbgp-peer-address = 10.255.0.2\nbgp-nexthop-ipv4 = 10.255.0.1\n';
  t.same(errorsOf(`${G}[web6]\n${SVC.replace('10.2.0.1', '2001:db8::1')}`), [
    'f.conf:8: [web6] VIP 2001:db8::1 is IPv6 and announced by BGP, but [global] bgp-nexthop-ipv6 is not set',
  ]);
  t.same(warningsOf(`${G}[web6]\n${SVC.replace('10.2.0.1', '2001:db8::1')}bgp = no\n`), []);
  t.same(errorsOf(`${G}[a]\n${SVC}bgp-med = 10\n[b]\n${SVC.replace('80', '443')}bgp-med = 20\n`), [
    'f.conf:21: [b] bgp-med 20 differs from bgp-med 10 of [a] (line 6) for the same VIP 10.2.0.1',
  ]);
  t.same(errorsOf(`${G}[a]\n${SVC}[b]\n${SVC}`), ['f.conf:15: [b] tcp 10.2.0.1 port 80 is already service [a] (line 6)']);
  t.same(errorsOf('[global]\nbgp = yes\n'), [
    "f.conf:1: [global] missing required key 'bgp-local-asn'",
    'f.conf:1: [global] bgp = yes but no peer: set bgp-peer-address',
  ]);
  t.same(errorsOf(`${G}bgp-hold-time = 2\nbgp-communities = 64600:70000 no-exprt\n`), [
    'f.conf:6: [global] bgp-hold-time must be 0 or at least 3, got 2',
    "f.conf:7: [global] bgp-communities: '64600:70000' is not ASN:VALUE (each 0-65535) or one of no-export, no-advertise, no-export-subconfed, graceful-shutdown, blackhole",
    "f.conf:7: [global] bgp-communities: 'no-exprt' is not ASN:VALUE (each 0-65535) or one of no-export, no-advertise, no-export-subconfed, graceful-shutdown, blackhole (did you mean 'no-export'?)",
  ]);
  t.same(errorsOf(`${G}[bgp-peer 10.255.0.300]\n[bgp-peer 10.255.0.3]\nbgp-keepalive = 60\nbgp-hold-time = 30\nbgp-router-id = 0.0.0.0\n`), [
    "f.conf:6: [bgp-peer 10.255.0.300] section name must be an IP address, got '10.255.0.300'",
    'f.conf:8: [bgp-peer 10.255.0.3] bgp-keepalive (60) must be less than bgp-hold-time (30)',
    'f.conf:10: [bgp-peer 10.255.0.3] bgp-router-id must not be 0.0.0.0',
  ]);
  t.same(errorsOf(`${G}bgp-nexthop-ipv6 = 10.0.0.1\nbgp-router-id = fd00::1\n`), [
    "f.conf:6: [global] bgp-nexthop-ipv6 must be an IPv6 address, got '10.0.0.1'",
    "f.conf:7: [global] bgp-router-id must be an IPv4 address, got 'fd00::1'",
  ]);
  t.same(errorsOf(`${G}bgp-as-path = 64600 x\nbgp-peer-address = [ '10.255.0.2', 5 ]\n`), [
    "f.conf:6: [global] bgp-as-path must be AS numbers separated by spaces, got '64600 x'",
    'f.conf:7: [global] bgp-peer-address must contain only strings, found the number 5',
  ]);
});

t.test('per-peer options inherit the global ones and override them', async (t) => {
  const c = configOf('[global]\nbgp = yes\nbgp-local-asn = 64600\nbgp-peer-address = [ "10.255.0.2", "fd00:255::2" ]\nbgp-hold-time = 90\nbgp-communities = 64600:1\n[bgp-peer fd00:255:0::2]\nbgp-peer-as = 65001\nbgp-passive = yes\n[bgp-peer 10.255.0.9]\nbgp-hold-time = 0\n');
  t.same(c.global.bgpPeers.map((p) => [p.address, p.peerAs, p.holdTime, p.keepalive, p.passive, p.communities]), [
    ['10.255.0.2', null, 90, 30, false, [64600 * 65536 + 1]],
    ['fd00:255::2', 65001, 90, 30, true, [64600 * 65536 + 1]],
    ['10.255.0.9', null, 0, 0, false, [64600 * 65536 + 1]],
  ]);
  t.same(c.global.bgpAsPath, [64600]);
});

t.test('an unreadable setting never yields a config; every error is listed', async (t) => {
  const e = errorsOf(`[web]\n${SVC}port = x\nops = maybe\n[web2]\nprotocol = icmp\n`);
  t.ok(e.length >= 5, e.join('\n'));
  t.ok(e.every((l) => /^f\.conf:\d+(:\d+)?: \[web2?\] /.test(l)), e.join('\n'));
});

t.test('[DEFAULT] keys: inherited silently where known, an unknown one warned once', async (t) => {
  const c = configOf(`[DEFAULT]\nscheduler = wlc\nbgp-med = 5\n[a]\n${SVC.replace('scheduler = wrr\n', '')}[b]\n${SVC.replace('scheduler = wrr\n', '').replace('80', '81')}`);
  t.same(c.services.map((s) => [s.scheduler, s.bgpMed]), [['wlc', 5], ['wlc', 5]]);
  t.same(warningsOf(`[DEFAULT]\nschedular = wlc\n[a]\n${SVC}[b]\n${SVC.replace('80', '81')}`), [
    "f.conf:2: [DEFAULT] unknown key 'schedular' (did you mean 'scheduler'?)",
  ]);
});

t.test('instrumentation_ips with a wildcard or a non-loopback address warn (only with instrumentation = yes)', async (t) => {
  const w = warningsOf(`[global]\ninstrumentation = yes\ninstrumentation_ips = [ "", "::", "0.0.0.0", "192.0.2.1", "127.0.0.2", "::1" ]\n\n[web]\n${SVC}`);
  const exposed = w.filter((x) => x.includes('instrumentation_ips'));
  t.equal(exposed.length, 4, exposed.join('\n'));
  t.match(exposed[0], /^f\.conf:3: \[global\] instrumentation_ips: '' listens on every interface: the unauthenticated API/);
  t.match(exposed.join('\n'), /'::' listens on every interface/);
  t.match(exposed.join('\n'), /'0\.0\.0\.0' listens on every interface/);
  t.match(exposed.join('\n'), /192\.0\.2\.1 is not a loopback address/);
  t.same(warningsOf(`[global]\ninstrumentation = yes\ninstrumentation_ips = [ "127.0.0.1", "::1" ]\n\n[web]\n${SVC}`), []);
  t.same(warningsOf(`[global]\ninstrumentation_ips = [ "" ]\n\n[web]\n${SVC}`), [], 'nothing listens when instrumentation is off');
});

t.test('pool-max-servers: 10000 by default, a [global] default, a per-service value, errors at the line', async (t) => {
  t.equal(configOf(`[web]\n${SVC}`).services[0]!.poolMaxServers, 10000);
  const c = configOf(`[global]\npool-max-servers = 500\n[web]\n${SVC}[api]\n${SVC.replace('10.2.0.1', '10.2.0.2')}pool-max-servers = 20\n`);
  t.same(c.services.map((s) => s.poolMaxServers), [500, 20]);
  t.same(errorsOf(`[web]\n${SVC}pool-max-servers = 0\n`), ['f.conf:8: [web] pool-max-servers must be between 1 and 1000000, got 0']);
  t.match(errorsOf(`[web]\n${SVC}pool-max-servers = many\n`), ["f.conf:8: [web] pool-max-servers must be an integer, got 'many'"]);
});

t.test('etcd credentials in the pool URL need both a user and a password', async (t) => {
  t.equal(configOf(`[web]\n${SVC.replace('file:///etc/pybal/pools/web', 'etcd://vipd:s3cret@conf1:2379/pools/web')}`).services[0]!.pool,
    'etcd://vipd:s3cret@conf1:2379/pools/web');
  const errs = errorsOf(`[web]\n${SVC.replace('file:///etc/pybal/pools/web', 'etcd://vipd@conf1:2379/pools/web')}`);
  t.same(errs, ['f.conf:6: [web] config: etcd credentials need both a user and a password (etcd://user:password@host:2379/path)']);
});

t.test('pool-max-removal and pool-removal-hold: [global] defaults, per-service overrides, located errors', async (t) => {
  const c = configOf(`[global]\npool-max-removal = 25%%\npool-removal-hold = 10\n[web]\n${SVC}[api]\n${SVC.replace('port = 80', 'port = 81')}pool-max-removal = 0.75\npool-removal-hold = 0\n`);
  t.match(c.global, { poolMaxRemoval: 0.25, poolRemovalHold: 10 });
  t.match(c.services[0], { poolMaxRemoval: 0.25, poolRemovalHold: 10 }, 'inherited from [global]');
  t.match(c.services[1], { poolMaxRemoval: 0.75, poolRemovalHold: 0 });
  t.match(configOf(`[web]\n${SVC}`).services[0], { poolMaxRemoval: 0.5, poolRemovalHold: 60 }, 'defaults 50% and 60 s');
  t.same(errorsOf(`[web]\n${SVC}pool-max-removal = 150%%\n`), ["f.conf:8: [web] pool-max-removal must be a percentage (0% to 100%) or a fraction (0 to 1), got '150%'"]);
  t.same(errorsOf(`[web]\n${SVC}pool-max-removal = half\n`), ["f.conf:8: [web] pool-max-removal must be a percentage (0% to 100%) or a fraction (0 to 1), got 'half'"]);
  t.same(errorsOf(`[global]\npool-removal-hold = -1\n[web]\n${SVC}`), ['f.conf:2: [global] pool-removal-hold must be between 0 and 86400, got -1']);
});

t.test('bind-vips: a [global] boolean, default no', async (t) => {
  t.equal(configOf(`[web]\n${SVC}`).global.bindVips, false);
  t.equal(configOf(`[global]\nbind-vips = yes\n[web]\n${SVC}`).global.bindVips, true);
  t.same(errorsOf(`[global]\nbind-vips = perhaps\n[web]\n${SVC}`),
    ["f.conf:2: [global] bind-vips must be a boolean (yes/no, true/false, on/off, 1/0), got 'perhaps'"]);
});
