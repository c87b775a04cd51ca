import t from 'tap';
import { parseConfig } from '../../config/index.js';
import { anyAsWarning, asPathPrepend, gracefulShutdownMs, routeSpec, serviceSpec, speakerConfig } from './mapping.js';
import { defaultConfig } from '../commands/run.js';

const text = (extra = '') => `[global]
bgp = yes
bgp-local-asn = 64600
bgp-as-path = 64600 64600 64600
bgp-peer-address = [ "10.255.0.2" ]
bgp-peer-as = 64601
bgp-nexthop-ipv4 = 10.255.0.1
bgp-med = 5
${extra}
[web]
protocol = tcp
ip = 10.2.0.1
port = 443
scheduler = wlc
ipvs-forwarding = nat
ipvs-persistence = 600
config = file:///etc/pybal/pools/web
depool-threshold = .4
bgp-med = 7
bgp-degraded-med = 70
bgp-withdraw-policy = below-threshold
monitors = [ "ProxyFetch", "IdleConnection" ]
proxyfetch.url = [ 'http://example.org/' ]
`;

function config(extra = '') {
  const r = parseConfig(text(extra), 'test.conf');
  if (!r.ok) throw new Error(r.errors.map((e) => e.message).join('; '));
  return r.config;
}

t.test('service and route specs from the typed config', async (t) => {
  const c = config();
  t.same(serviceSpec(c.services[0]!), {
    name: 'web', ip: '10.2.0.1', port: 443, protocol: 'tcp', depoolThreshold: 0.4, monitors: ['ProxyFetch', 'IdleConnection'],
    bgp: true, med: 7, degradedMed: 70, withdrawPolicy: 'below-threshold', poolMaxRemoval: 0.5, poolRemovalHoldMs: 60_000,
  });
  t.match(routeSpec(c.global), { nextHopV4: '10.255.0.1', med: 5, asPathPrepend: 2 });
  t.equal(asPathPrepend({ ...c.global, bgpAsPath: [64600] }), 0);
});

t.test('speaker config: peers with AS, hold time and next hops; no peer AS = any AS, with a warning', async (t) => {
  const ok = speakerConfig(config());
  t.ok('config' in ok && ok.config.localAs === 64600);
  if ('config' in ok) {
    t.match(ok.config.peers[0], { address: '10.255.0.2', peerAs: 64601, mode: 'active', nextHop: { ipv4: '10.255.0.1' } });
    t.equal(anyAsWarning(ok.config.peers[0]!), null, 'no warning when the AS is configured');
  }
  const c = config();
  c.global.bgpPeers[0]!.peerAs = null;
  const any = speakerConfig(c);
  if (!('config' in any)) { t.fail(`refused: ${any.errors.join('; ')}`); return; }
  const p = any.config.peers[0]!;
  t.notOk('peerAs' in p, 'no AS passed to the speaker');
  t.match(p, { address: '10.255.0.2', mode: 'active' });
  t.match(anyAsWarning(p), /^bgp peer 10\.255\.0\.2: no bgp-peer-as, so any AS the peer sends in its OPEN is accepted/);
});

t.test('default config: /etc/vipd/vipd.conf, falling back to /etc/pybal/pybal.conf', async (t) => {
  t.equal(defaultConfig(() => true), '/etc/vipd/vipd.conf');
  t.equal(defaultConfig((p) => p === '/etc/pybal/pybal.conf'), '/etc/pybal/pybal.conf');
  t.equal(defaultConfig(() => false), '/etc/vipd/vipd.conf', 'neither: name the vipd one in the error');
});

t.test('bgp-communities go to each peer as configured for it; [global] is the default', async (t) => {
  const c = config('bgp-communities = 64600:100 no-export\n');
  const one = speakerConfig(c);
  if (!('config' in one)) throw new Error('fixture');
  t.same(one.config.peers[0]!.communities, [64600 * 65536 + 100, 0xffffff01]);
  t.same(routeSpec(c.global).communities, [], 'routes carry no peer communities themselves');
  const none = speakerConfig(config());
  if (!('config' in none)) throw new Error('fixture');
  t.equal(none.config.peers[0]!.communities, undefined, 'none configured: none sent');
  const two = parseConfig(`${text('bgp-communities = 64600:100\n')}\n[bgp-peer 10.255.0.3]\nbgp-peer-as = 64602\nbgp-communities = 65535:0\n`, 'test.conf');
  if (!two.ok) throw new Error('fixture');
  const both = speakerConfig(two.config);
  if (!('config' in both)) throw new Error(`peers that differ are accepted: ${JSON.stringify(both)}`);
  t.same(both.config.peers.map((p) => [p.address, p.communities]), [
    ['10.255.0.2', [64600 * 65536 + 100]],
    ['10.255.0.3', [0xffff0000]],
  ]);
});

t.test('bgp-graceful-shutdown-wait: the longest of the peers, in ms; 0 when unset', async (t) => {
  const c = config('bgp-graceful-shutdown-wait = 5\n');
  t.equal(gracefulShutdownMs(c.global), 5000);
  t.equal(gracefulShutdownMs(config().global), 0);
  c.global.bgpPeers.push({ ...c.global.bgpPeers[0]!, address: '10.255.0.3', gracefulShutdownWait: 12 });
  t.equal(gracefulShutdownMs(c.global), 12_000);
});

t.test('router id: bgp-router-id, else bgp-nexthop-ipv4, else the first IPv4 bgp-local-address (the speaker is built without peers)', async (t) => {
  const c = config();
  const id = (g: typeof c.global) => { const r = speakerConfig({ ...c, global: g }); return 'config' in r ? r.config.routerId : r.errors; };
  t.equal(id(c.global), '10.255.0.1');
  const peers = c.global.bgpPeers.map((p) => ({ ...p, localAddress: '10.255.0.9' }));
  t.equal(id({ ...c.global, bgpNexthopIpv4: null, bgpPeers: peers }), '10.255.0.9');
  t.equal(id({ ...c.global, bgpNexthopIpv4: null, bgpPeers: peers.map((p) => ({ ...p, localAddress: 'fd00:255::9' })) }), undefined);
  t.equal(id({ ...c.global, bgpPeers: peers.map((p) => ({ ...p, routerId: '10.255.0.7' })) }), '10.255.0.7');
});
