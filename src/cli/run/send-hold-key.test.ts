import t from 'tap';
import { formatIssue } from '../../config/issues.js';
import { parseConfig } from '../../config/schema.js';
import { printConfig } from '../../config/print.js';
import { speakerConfig } from './mapping.js';

// bgp-send-hold-time (RFC 9687): unset leaves the speaker's default, max(8 minutes, 2 × hold time).

const G = '[global]\nbgp = yes\nbgp-local-asn = 64600\nbgp-peer-address = 10.255.0.2\nbgp-nexthop-ipv4 = 10.255.0.1\n';
const parse = (text: string) => parseConfig(text, 'f.conf');

t.test('unset: null in the config, nothing in the speaker\'s peer (its default applies), not printed', async (t) => {
  const r = parse(G);
  if (!r.ok) throw new Error(r.errors.map(formatIssue).join('\n'));
  t.equal(r.config.global.bgpPeers[0]?.sendHoldTime, null);
  const s = speakerConfig(r.config);
  t.ok('config' in s && s.config.peers[0] && s.config.peers[0].sendHoldMs === undefined);
  t.notMatch(printConfig(r.config), /bgp-send-hold-time/);
});

t.test('[global] default, overridden per peer; seconds in the config, ms in the speaker', async (t) => {
  const r = parse(`${G}bgp-send-hold-time = 600\n[bgp-peer 10.255.0.3]\nbgp-send-hold-time = 30\n`);
  if (!r.ok) throw new Error(r.errors.map(formatIssue).join('\n'));
  t.same(r.warnings, [], 'a known key');
  t.same(r.config.global.bgpPeers.map((p) => p.sendHoldTime), [600, 30]);
  const s = speakerConfig(r.config);
  t.same('config' in s ? s.config.peers.map((p) => p.sendHoldMs) : null, [600_000, 30_000]);
  t.match(printConfig(r.config), /bgp-send-hold-time = 600/);
});

t.test('bad values name the file, line and key', async (t) => {
  const r = parse(`${G}bgp-send-hold-time = 0\n[bgp-peer 10.255.0.3]\nbgp-send-hold-time = soon\n`);
  t.same(r.ok ? [] : r.errors.map(formatIssue), [
    'f.conf:6: [global] bgp-send-hold-time must be between 1 and 65535, got 0',
    "f.conf:8: [bgp-peer 10.255.0.3] bgp-send-hold-time must be an integer, got 'soon'",
  ]);
});
