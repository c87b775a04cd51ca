import t from 'tap';
import { parseConfig } from '../../config/index.js';
import { speakerConfig } from './mapping.js';

// Issue 11 §9: bgp-max-prefixes was handed to the speaker as its outbound cap; now it is the
// inbound limit, and bgp-max-announce is the outbound cap.

const G = '[global]\nbgp = yes\nbgp-local-asn = 64600\nbgp-peer-address = [ "10.255.0.2", "10.255.0.3" ]\nbgp-nexthop-ipv4 = 10.255.0.1\n';

function peers(text: string) {
  const r = parseConfig(text, 'f.conf');
  if (!r.ok) throw new Error('config errors');
  const sc = speakerConfig(r.config);
  if ('errors' in sc) throw new Error(sc.errors.join('; '));
  return sc.config.peers;
}

t.test('bgp-max-prefixes → inbound limit, bgp-max-announce → outbound cap, action carried', async (t) => {
  const [a, b] = peers(`${G}bgp-max-prefixes = 1\n[bgp-peer 10.255.0.3]\nbgp-max-announce = 2\nbgp-max-prefixes-action = teardown\n`);
  t.equal(a?.inboundLimit, 1);
  t.equal(a?.maxPrefixes, undefined, 'bgp-max-prefixes no longer caps what we announce');
  t.equal(a?.inboundLimitAction, undefined, 'discard is the speaker default');
  t.equal(b?.maxPrefixes, 2);
  t.equal(b?.inboundLimitAction, 'teardown');
});

t.test('nothing configured: the speaker defaults (10,000 counted, discard, no cap)', async (t) => {
  const [a] = peers(G);
  t.notOk(a && ('inboundLimit' in a || 'maxPrefixes' in a || 'inboundLimitAction' in a));
});
