import t from 'tap';
import { formatIssue } from './issues.js';
import { parseConfig } from './schema.js';
import { printConfig } from './print.js';

// Issue 11 §9: bgp-max-prefixes is the inbound limit, bgp-max-prefixes-action what happens past it,
// bgp-max-announce the outbound cap.

const G = '[global]\nbgp = yes\nbgp-local-asn = 64600\nbgp-peer-address = 10.255.0.2\nbgp-nexthop-ipv4 = 10.255.0.1\n';

const parse = (text: string) => parseConfig(text, 'f.conf');

t.test('defaults: inbound limit left to the speaker, discard, no outbound cap', async (t) => {
  const r = parse(G);
  if (!r.ok) throw new Error(r.errors.map(formatIssue).join('\n'));
  t.match(r.config.global.bgpPeers[0], { maxPrefixes: null, maxPrefixesAction: 'discard', maxAnnounce: null });
});

t.test('the three keys, in [global] and overridden per peer', async (t) => {
  const r = parse(`${G}bgp-max-prefixes = 500\nbgp-max-prefixes-action = teardown\nbgp-max-announce = 3\n[bgp-peer 10.255.0.3]\nbgp-max-prefixes-action = Discard\nbgp-max-announce = 1\n`);
  if (!r.ok) throw new Error(r.errors.map(formatIssue).join('\n'));
  t.match(r.config.global.bgpPeers[0], { address: '10.255.0.2', maxPrefixes: 500, maxPrefixesAction: 'teardown', maxAnnounce: 3 });
  t.match(r.config.global.bgpPeers[1], { address: '10.255.0.3', maxPrefixes: 500, maxPrefixesAction: 'discard', maxAnnounce: 1 });
  t.same(r.warnings, [], 'known keys');
  const printed = printConfig(r.config);
  t.match(printed, /bgp-max-prefixes-action = teardown/);
  t.match(printed, /bgp-max-announce = 3/);
});

t.test('bad values name the file, line and key', async (t) => {
  const r = parse(`${G}bgp-max-prefixes-action = drop\nbgp-max-announce = 0\nbgp-max-prefixes = many\n`);
  t.equal(r.ok, false);
  const errors = r.ok ? [] : r.errors.map(formatIssue);
  t.same(errors, [
    "f.conf:6: [global] bgp-max-prefixes-action must be discard or teardown, got 'drop'",
    'f.conf:7: [global] bgp-max-announce must be at least 1, got 0',
    "f.conf:8: [global] bgp-max-prefixes must be an integer, got 'many'",
  ]);
});
