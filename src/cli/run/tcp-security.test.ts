import t from 'tap';
import { parseConfig, type VipdConfig } from '../../config/index.js';
import { planReload } from './reload-plan.js';
import { peerConfig } from './mapping.js';

// A reload sees a changed TCP-MD5 password (the peer is replaced, with the new key on its
// sockets) and leaves a peer whose password did not change alone; the mapped PeerConfig carries
// the key object, never the text.
const conf = (pw: string, ttl = 'no'): string => `[global]
bgp = yes
bgp-local-asn = 64600
bgp-peer-address = [ "10.0.0.1", "10.0.0.2" ]
bgp-peer-as = 64601
bgp-nexthop-ipv4 = 192.0.2.10
[bgp-peer 10.0.0.1]
bgp-md5-password = ${pw}
bgp-ttl-security = ${ttl}
[bgp-peer 10.0.0.2]
bgp-md5-password = unchanged-pw
`;
function cfg(text: string): VipdConfig {
  const r = parseConfig(text, 'vipd.conf');
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r.config;
}

t.test('a changed password or GTSM replaces that peer only', async (t) => {
  for (const next of [conf('second-pw'), conf('first-pw', 'yes')]) {
    const r = planReload(cfg(conf('first-pw')), cfg(next), { allowEmpty: true });
    if (!r.ok) throw new Error(r.errors.join('\n'));
    t.same(r.plan.speaker.remove, ['10.0.0.1']);
    t.same(r.plan.speaker.add.map((p) => p.address), ['10.0.0.1']);
  }
  const same = planReload(cfg(conf('first-pw')), cfg(conf('first-pw')), { allowEmpty: true });
  t.ok(same.ok && same.plan.speaker.add.length === 0 && same.plan.speaker.remove.length === 0, 'the same password: nothing to do');
});

t.test('the mapped peer has the key and GTSM, and prints no secret', async (t) => {
  const c = cfg(conf('first-pw', 'yes'));
  const p = peerConfig(c.global, c.global.bgpPeers[0]!);
  t.equal(Buffer.from(p.md5Key!.bytes()).toString(), 'first-pw');
  t.equal(p.ttlSecurity, true);
  t.notOk(JSON.stringify(p).includes('first-pw'));
  const q = peerConfig(c.global, c.global.bgpPeers[1]!);
  t.equal(q.ttlSecurity, undefined, 'no GTSM: the key is absent, sockets made as before');
});
