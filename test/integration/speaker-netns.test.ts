import t from 'tap';
import { needTools } from '../lab/need-tools.js';
import { createNetns } from '../lab/netns.js';
import { ROUTER_BINARIES, startRouter, type RouterKind } from '../lab/router.js';
import { Speaker } from '../../src/speaker/speaker.js';
import { systemClock } from '../../src/time/clock.js';
import { silentLogger } from '../../src/log/logger.js';
import { startSpeaker, vip } from './speaker-helpers.js';

// The namespace topology of issue 3 §4: each router inside a network namespace this test made,
// the speaker on the root side of a veth pair (next hop = our own address), IPv4 and IPv6 VIPs on
// one IPv4 session; and one session over IPv6 transport, which needs a configured router id.
const kinds: RouterKind[] = ['bird', 'gobgp', 'frr'];
t.jobs = 3; // the routers run side by side (own addresses, dirs, namespaces)

for (const kind of kinds) {
  t.test(`${kind} in a network namespace: IPv4 + IPv6 VIPs over an IPv4 session`, async (t) => {
    if (!needTools(t, ...ROUTER_BINARIES[kind], 'ip')) return;
    const ns = await createNetns();
    t.teardown(() => ns.destroy());
    const router = await startRouter({ kind, routerIp: ns.nsIp, speakerIp: ns.hostIp, netns: ns.name, v6: true, holdTime: 9, passive: true });
    t.teardown(() => router.stop());
    const sp = await startSpeaker({ address: ns.nsIp, peerAs: 64601, localAddress: ns.hostIp, holdTime: 9, nextHop: { ipv6: ns.hostIp6 }, idleHoldMs: 200 },
      [vip('10.2.1.1/32'), vip('2620:0:860:1::10/128')]);
    t.teardown(() => sp.stop());
    const rib = await router.waitRib((r) => r.length === 2, 15_000);
    const v4 = rib.find((r) => r.prefix === '10.2.1.1/32');
    t.equal(v4?.med, 110);
    t.equal(v4?.nextHop, ns.hostIp, 'next hop defaults to our address on the session');
    t.equal(rib.find((r) => r.prefix === '2620:0:860:1::10/128')?.med, 110, 'IPv6 /128 over MP-BGP');
  });
}

t.test('bird over IPv6 transport: router id required, session up, IPv6 VIP learned', async (t) => {
  if (!needTools(t, 'bird', 'birdc', 'ip')) return;
  t.throws(() => new Speaker({ localAs: 64600, peers: [{ address: 'fd00:255::2', peerAs: 64601, localAddress: 'fd00:255::1' }] }, systemClock, silentLogger),
    /router id is required when no peer has an IPv4 local address/);
  const ns = await createNetns();
  t.teardown(() => ns.destroy());
  const router = await startRouter({ kind: 'bird', routerIp: ns.nsIp6, speakerIp: ns.hostIp6, netns: ns.name, v6: true, holdTime: 9, passive: true });
  t.teardown(() => router.stop());
  const sp = await startSpeaker({ address: ns.nsIp6, peerAs: 64601, localAddress: ns.hostIp6, holdTime: 9, idleHoldMs: 200 },
    [vip('2620:0:860:1::10/128')], { routerId: '10.255.0.1' });
  t.teardown(() => sp.stop());
  const rib = await router.waitRib((r) => r.length === 1, 15_000);
  t.equal(rib[0]?.prefix, '2620:0:860:1::10/128');
  t.equal(rib[0]?.med, 110);
  t.equal(rib[0]?.nextHop, ns.hostIp6);
});
