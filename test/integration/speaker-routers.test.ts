import t from 'tap';
import { needTools } from '../lab/need-tools.js';
import { loopbackBlock } from '../lab/netns.js';
import { ROUTER_BINARIES, startRouter, type RouterKind } from '../lab/router.js';
import { sleep } from '../lab/proc.js';
import { labPeer, recordIfAsked, startSpeaker, vip } from './speaker-helpers.js';

// Issue 3 §4 against each real router on loopback: Established for three hold times, VIPs with MED 110,
// withdraw / re-announce, IPv6 over MP-BGP, a /24 filtered, the 11th prefix refused by our guard.
const HOLD = 3;
const kinds: RouterKind[] = ['bird', 'gobgp', 'frr'];
// The three routers run side by side (own addresses, own temp dirs): the file takes one router's time.
t.jobs = 3;

for (const kind of kinds) {
  t.test(`${kind}: announce, withdraw, re-announce, IPv6, filter, prefix guard, three hold times`, async (t) => {
    if (!needTools(t, ...ROUTER_BINARIES[kind])) return;
    const lo = loopbackBlock();
    await recordIfAsked(t, `vipd-${kind}-announce-withdraw-limit`, lo.router(0));
    // FRR keeps its default route-map delay here, so it sends a ROUTE-REFRESH ~5 s after start (ROUTERS.md).
    const router = await startRouter({ kind, routerIp: lo.router(0), speakerIp: lo.speaker, v6: true, holdTime: HOLD, passive: true, frrRouteMapDelay: 5 });
    t.teardown(() => router.stop());
    const sp = await startSpeaker(labPeer(lo.router(0), lo.speaker), [
      vip('10.2.1.1/32'), vip('10.2.1.2/32'), vip('2620:0:860:1::10/128'), vip('10.9.9.0/24'),
    ]);
    t.teardown(() => sp.stop());
    const est = await sp.waitEvent((e) => e.event === 'established', 15_000, 'Established');
    const upAt = Date.now();
    t.match(est, { holdTime: HOLD, keepalive: 1 }, 'hold time negotiated down to the router\'s');
    t.ok(est.event === 'established' && est.families.includes('ipv6-unicast'), 'IPv6 unicast negotiated');
    await router.waitEstablished(5_000);

    const rib = await router.waitRib((r) => r.length >= 3, 10_000);
    for (const p of ['10.2.1.1/32', '10.2.1.2/32', '2620:0:860:1::10/128']) {
      t.equal(rib.find((r) => r.prefix === p)?.med, 110, `${p} in the RIB with MED 100 + 10`);
    }
    t.notOk(rib.some((r) => r.prefix === '10.9.9.0/24'), 'the /24 is filtered by the router');
    t.same(rib.find((r) => r.prefix === '10.2.1.1/32')?.asPath, [64600], 'AS path is our AS');

    sp.speaker.setAdvertised([vip('10.2.1.1/32'), vip('2620:0:860:1::10/128'), vip('10.9.9.0/24')]);
    await router.waitRib((r) => !r.some((x) => x.prefix === '10.2.1.2/32') && r.some((x) => x.prefix === '10.2.1.1/32'), 5_000);
    t.pass('withdrawn VIP gone, the other stays');
    sp.speaker.setAdvertised([vip('10.2.1.1/32'), vip('10.2.1.2/32'), vip('2620:0:860:1::10/128'), vip('10.9.9.0/24')]);
    await router.waitRib((r) => r.some((x) => x.prefix === '10.2.1.2/32' && x.med === 110), 5_000);
    t.pass('re-announced VIP back');

    // 11 prefixes declared (the /24 counts for GoBGP's limit, which counts filtered ones too): our guard keeps 10.
    const many = Array.from({ length: 7 }, (_, i) => vip(`10.2.2.${i + 1}/32`));
    sp.speaker.setAdvertised([vip('10.2.1.1/32'), vip('10.2.1.2/32'), vip('2620:0:860:1::10/128'), vip('10.9.9.0/24'), ...many]);
    const refused = await sp.waitEvent((e) => e.event === 'refused', 2_000, 'refused event');
    t.same(refused.event === 'refused' && refused.prefixes, ['10.2.2.7/32'], 'the 11th prefix is refused');
    t.equal(sp.speaker.status().peers[0]?.prefixesAdvertised, 10);
    t.same(sp.speaker.status().peers[0]?.prefixesRefused, ['10.2.2.7/32']);

    const wait = HOLD * 3 * 1000 + 500 - (Date.now() - upAt);
    if (wait > 0) await sleep(wait);
    t.ok(await router.established(), `${kind} still Established after three hold times`);
    const st = sp.speaker.status().peers[0];
    t.equal(st?.state, 'Established');
    t.equal(st?.flaps, 0, 'never flapped');
    if (kind === 'frr') t.ok(sp.events.some((e) => e.event === 'route-refresh'), "FRR's start-up ROUTE-REFRESH was answered");
    const final = await router.rib();
    t.equal(final.filter((r) => r.prefix.startsWith('10.2.2.')).length, 6, 'the router holds the 6 accepted new VIPs');
  });
}
