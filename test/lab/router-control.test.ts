import t from 'tap';
import { needTools } from './need-tools.js';
import { loopbackBlock } from './netns.js';
import { prefix, update, vipAttrs } from './raw-bgp.js';
import { establish } from './raw-speaker.js';
import { ROUTER_BINARIES, startRouter, type RouterKind } from './router.js';

// The harness's control calls against each real router, driven by our raw sender (no ExaBGP):
// ROUTE-REFRESH on request, the prefix-limit teardown, clearSession() to bring it back, restart().
const kinds: RouterKind[] = ['frr', 'bird', 'gobgp'];
const OPEN = { asn: 64600, holdTime: 30, bgpId: '192.0.2.1', routeRefresh: true };

for (const kind of kinds) {
  t.test(`${kind}: routeRefresh, prefix limit teardown, clearSession, restart`, async (t) => {
    if (!needTools(t, ...ROUTER_BINARIES[kind])) return;
    const lo = loopbackBlock();
    const target = { routerIp: lo.router(0), speakerIp: lo.speaker };
    const router = await startRouter({ kind, ...target, maxPrefixes: 3 });
    t.teardown(() => router.stop());

    const s1 = await establish(target, OPEN);
    t.teardown(() => s1.close());
    await router.waitEstablished(5_000);
    s1.send(update({ attrs: vipAttrs(64600, '192.0.2.10'), nlri: [prefix('10.0.0.1/32')] }));
    // FRR lists a path a few tens of ms before it has chosen it as best
    const rib = await router.waitRib((r) => r.length === 1 && r[0]!.best, 5_000);
    t.match(rib[0], { prefix: '10.0.0.1/32', med: 110, nextHop: '192.0.2.10', asPath: [64600], best: true });

    await router.routeRefresh();
    if (kind === 'gobgp') t.pass('GoBGP re-applies its policy without asking');
    else t.ok(await s1.waitFor(5, 3_000), 'the router sent ROUTE-REFRESH');

    for (let i = 2; i <= 6 && !s1.closed(); i++) {
      s1.send(update({ attrs: vipAttrs(64600, '192.0.2.10'), nlri: [prefix(`10.0.0.${i}/32`)] }));
      await s1.waitFor(3, 300);
    }
    t.ok(await s1.waitFor(3, 3_000), 'the prefix limit sent a NOTIFICATION');
    await s1.close();
    t.notOk(await router.established(), 'session down after the prefix limit');

    await router.clearSession();
    const s2 = await establish(target, OPEN);
    t.teardown(() => s2.close());
    await router.waitEstablished(5_000);
    t.pass('clearSession() let the speaker back in');
    await s2.close();

    await router.restart();
    const s3 = await establish(target, OPEN);
    t.teardown(() => s3.close());
    await router.waitEstablished(5_000);
    t.same(await router.rib(), [], 'a restarted router starts with an empty RIB');
    t.match(router.log(), /\S/, 'the router log is readable');
  });
}
