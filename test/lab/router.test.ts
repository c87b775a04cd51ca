import t from 'tap';
import { startExaBgp } from './exabgp.js';
import { needTools } from './need-tools.js';
import { createNetns, loopbackBlock } from './netns.js';
import { ROUTER_BINARIES, startRouter, type RouterKind } from './router.js';

// The harness itself against the real routers: policy (only LVS /32s, MED +10), withdraw, both topologies.
const kinds: RouterKind[] = ['frr', 'bird', 'gobgp'];
const NH = '192.0.2.10';

for (const kind of kinds) {
  t.test(`${kind} on loopback: imports LVS /32s with MED +10, filters the rest, withdraws`, async (t) => {
    if (!needTools(t, ...ROUTER_BINARIES[kind], 'exabgp')) return;
    const lo = loopbackBlock();
    const router = await startRouter({ kind, routerIp: lo.router(0), speakerIp: lo.speaker, v6: true });
    t.teardown(() => router.stop());
    const exa = await startExaBgp({ routerIp: lo.router(0), speakerIp: lo.speaker, v6: true });
    t.teardown(() => exa.stop());
    await router.waitEstablished(15_000);
    t.ok(await router.established(), 'session Established');
    await exa.send(`announce route 10.0.0.1/32 next-hop ${NH} med 100`);
    await exa.send(`announce route 208.80.153.10/32 next-hop ${NH} med 100`);
    await exa.send(`announce route 10.9.9.0/24 next-hop ${NH} med 100`);
    await exa.send('announce route 2620:0:860:1::10/128 next-hop 2001:db8::10 med 100');
    const rib = await router.waitRib((r) => r.length >= 3, 10_000);
    const v4 = rib.find((r) => r.prefix === '10.0.0.1/32');
    t.equal(v4?.med, 110, 'MED 100 + 10');
    t.same(v4?.asPath, [64600], 'AS path is the speaker AS');
    t.equal(v4?.nextHop, NH, 'next hop as announced');
    t.ok(rib.some((r) => r.prefix === '2620:0:860:1::10/128' && r.med === 110), 'IPv6 /128 imported');
    t.notOk(rib.some((r) => r.prefix === '10.9.9.0/24'), '/24 filtered');
    await exa.send(`withdraw route 208.80.153.10/32 next-hop ${NH}`);
    const after = await router.waitRib((r) => !r.some((x) => x.prefix === '208.80.153.10/32'), 10_000);
    t.ok(after.some((r) => r.prefix === '10.0.0.1/32'), 'the other route stays');
  });
}

for (const kind of kinds) {
  t.test(`${kind} in a network namespace over veth`, async (t) => {
    if (!needTools(t, ...ROUTER_BINARIES[kind], 'exabgp', 'ip')) return;
    const ns = await createNetns();
    t.teardown(() => ns.destroy());
    const router = await startRouter({ kind, routerIp: ns.nsIp, speakerIp: ns.hostIp, netns: ns.name });
    t.teardown(() => router.stop());
    const exa = await startExaBgp({ routerIp: ns.nsIp, speakerIp: ns.hostIp });
    t.teardown(() => exa.stop());
    await router.waitEstablished(15_000);
    await exa.send('announce route 10.2.1.1/32 next-hop self med 0');
    const rib = await router.waitRib((r) => r.length === 1, 10_000);
    t.equal(rib[0]?.med, 10);
    t.equal(rib[0]?.nextHop, ns.hostIp);
  });
}

t.test('bird over IPv6 transport in a namespace, IPv6 unicast on it', async (t) => {
  if (!needTools(t, 'bird', 'birdc', 'exabgp', 'ip')) return;
  const ns = await createNetns();
  t.teardown(() => ns.destroy());
  const router = await startRouter({ kind: 'bird', routerIp: ns.nsIp6, speakerIp: ns.hostIp6, netns: ns.name, v6: true });
  t.teardown(() => router.stop());
  const exa = await startExaBgp({ routerIp: ns.nsIp6, speakerIp: ns.hostIp6, v6: true });
  t.teardown(() => exa.stop());
  await router.waitEstablished(15_000);
  await exa.send('announce route 2620:0:860:2::1/128 next-hop self med 5');
  const rib = await router.waitRib((r) => r.length === 1, 10_000);
  t.match(rib[0], { prefix: '2620:0:860:2::1/128', med: 15, nextHop: ns.hostIp6 });
});
