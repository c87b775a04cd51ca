import t from 'tap';
import { needTools } from '../lab/need-tools.js';
import { loopbackBlock } from '../lab/netns.js';
import { ROUTER_BINARIES, startRouter, type RouterKind } from '../lab/router.js';
import type { NotificationMessage } from '../../src/bgp/types.js';
import { establish, routerOpen, startScriptedPeer } from './scripted-peer.js';
import { labPeer, startSpeaker, vip } from './speaker-helpers.js';

// A peer without a configured AS (PyBal has no such key): the speaker accepts the AS the router
// sends in its OPEN, reports it in events and status, and still refuses the reserved ASNs.
t.jobs = 3;

const anyAsPeer = (routerIp: string, speakerIp: string, over: Parameters<typeof labPeer>[2] = {}) => {
  const { peerAs: _drop, ...p } = labPeer(routerIp, speakerIp, over);
  return p;
};

t.test('scripted peer: a 4-octet AS is learned; AS 0 gets 2/2 on the next connection', async (t) => {
  const lo = loopbackBlock();
  const peer = await startScriptedPeer(lo.router(0));
  t.teardown(() => peer.close());
  const cfg = anyAsPeer(lo.router(0), lo.speaker, { port: peer.port, holdTime: 30 });
  t.notOk('peerAs' in cfg, 'no AS configured');
  const sp = await startSpeaker(cfg, [vip('10.2.1.1/32')]);
  t.teardown(() => sp.stop());
  const c1 = await peer.connection(0);
  await establish(c1, routerOpen({ myAs: 23456, params: [{ type: 2, capabilities: [{ code: 65, name: 'four-octet-as', asn: 4200000001 }] }] }));
  const est = await sp.waitEvent((e) => e.event === 'established', 3000);
  t.match(est, { peerAs: 4200000001 }, 'the established event names the learned AS');
  t.match(sp.speaker.status().peers[0], { peerAs: 4200000001, peerAsConfigured: false, state: 'Established' });
  c1.send({ type: 'NOTIFICATION', code: 6, subcode: 4, data: new Uint8Array() });
  await c1.waitClosed();
  const c2 = await peer.connection(1, 5000);
  await c2.next('OPEN');
  c2.send(routerOpen({ myAs: 0, params: [] }));
  const n = (await c2.next('NOTIFICATION')) as NotificationMessage;
  t.same([n.code, n.subcode, [...n.data]], [2, 2, [0, 0]], 'AS 0: Bad Peer AS');
  t.match(sp.speaker.status().peers[0], { peerAs: 4200000001, peerAsConfigured: false }, 'the last learned AS stays in the status');
});

for (const kind of ['bird', 'frr'] as RouterKind[]) {
  t.test(`${kind} with an AS we were not told: Established, the AS learned, the VIP in its RIB`, async (t) => {
    if (!needTools(t, ...ROUTER_BINARIES[kind])) return;
    const lo = loopbackBlock();
    const router = await startRouter({ kind, routerIp: lo.router(0), speakerIp: lo.speaker, routerAs: 65123, passive: true });
    t.teardown(() => router.stop());
    const sp = await startSpeaker(anyAsPeer(lo.router(0), lo.speaker), [vip('10.2.1.1/32')]);
    t.teardown(() => sp.stop());
    const est = await sp.waitEvent((e) => e.event === 'established', 15_000, 'Established');
    t.match(est, { peerAs: 65123 });
    t.match(sp.speaker.status().peers[0], { peerAs: 65123, peerAsConfigured: false });
    const rib = await router.waitRib((r) => r.some((x) => x.prefix === '10.2.1.1/32'), 10_000);
    t.same(rib.find((r) => r.prefix === '10.2.1.1/32')?.asPath, [64600], 'announced as eBGP from our AS');
  });
}
