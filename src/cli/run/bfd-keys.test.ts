import t from 'tap';
import { formatIssue } from '../../config/issues.js';
import { parseConfig } from '../../config/schema.js';
import { printConfig } from '../../config/print.js';
import { bfdPeers } from './bfd-wiring.js';

// bgp-bfd, bgp-bfd-interval, bgp-bfd-multiplier (issue 14 §2): [global] defaults, per-peer overrides.

const G = '[global]\nbgp = yes\nbgp-local-asn = 64600\nbgp-peer-address = [ "10.255.0.2", "fd00:255::2" ]\nbgp-nexthop-ipv4 = 10.255.0.1\n';
const parse = (text: string) => parseConfig(text, 'f.conf');

t.test('off by default: no BFD session, nothing printed', async (t) => {
  const r = parse(G);
  if (!r.ok) throw new Error(r.errors.map(formatIssue).join('\n'));
  t.same(r.config.global.bgpPeers.map((p) => [p.bfd, p.bfdInterval, p.bfdMultiplier]), [[false, 300, 3], [false, 300, 3]]);
  t.same(bfdPeers(r.config.global), []);
  t.notMatch(printConfig(r.config), /bgp-bfd/);
});

t.test('[global] defaults, overridden per peer; IPv4 and IPv6; local address from bgp-local-ips by family', async (t) => {
  const r = parse(`${G}bgp-bfd = yes\nbgp-bfd-interval = 100\nbgp-local-ips = [ "10.255.0.1", "fd00:255::1" ]\n`
    + '[bgp-peer fd00:255::2]\nbgp-bfd-multiplier = 5\n[bgp-peer 10.255.0.9]\nbgp-bfd = no\n');
  if (!r.ok) throw new Error(r.errors.map(formatIssue).join('\n'));
  t.same(r.warnings, [], 'known keys');
  t.same(bfdPeers(r.config.global), [
    { address: '10.255.0.2', localAddress: '10.255.0.1', intervalMs: 100, multiplier: 3 },
    { address: 'fd00:255::2', localAddress: 'fd00:255::1', intervalMs: 100, multiplier: 5 },
  ]);
  t.match(printConfig(r.config), /\[bgp-peer 10.255.0.2\][^[]*bgp-bfd = yes\nbgp-bfd-interval = 100\nbgp-bfd-multiplier = 3/);
});

t.test('bad values name the file, line and key', async (t) => {
  const r = parse(`${G}bgp-bfd = maybe\nbgp-bfd-interval = 5\n[bgp-peer 10.255.0.2]\nbgp-bfd-multiplier = 0\n`);
  t.same(r.ok ? [] : r.errors.map(formatIssue), [
    "f.conf:6: [global] bgp-bfd must be a boolean (yes/no, true/false, on/off, 1/0), got 'maybe'",
    'f.conf:7: [global] bgp-bfd-interval must be between 10 and 60000, got 5',
    'f.conf:9: [bgp-peer 10.255.0.2] bgp-bfd-multiplier must be between 1 and 255, got 0',
  ]);
});
