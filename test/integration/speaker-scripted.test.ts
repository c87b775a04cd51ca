import t, { type Test } from 'tap';
import { loopbackBlock } from '../lab/netns.js';
import { capabilitiesOf } from '../../src/fsm/negotiation.js';
import type { BgpMessage, NotificationMessage, UpdateMessage } from '../../src/bgp/types.js';
import { dialSpeaker, establish, routerOpen, startScriptedPeer, type PeerConnection } from './scripted-peer.js';
import { labPeer, recordIfAsked, startSpeaker, vip } from './speaker-helpers.js';

// The speaker on real loopback sockets against a scripted peer: the cases a real router will not
// produce on demand (capability refusal, floods, malformed input, silence).

async function setup(t: Test, over: Parameters<typeof labPeer>[2] = {}, routes = [vip('10.2.1.1/32')]) {
  const lo = loopbackBlock();
  await recordIfAsked(t, `vipd-scripted-${t.name.replace(/[^a-z0-9]+/gi, '-').replace(/^-|-$/g, '').toLowerCase().slice(0, 48)}`, lo.router(0));
  const peer = await startScriptedPeer(lo.router(0));
  t.teardown(() => peer.close());
  const sp = await startSpeaker(labPeer(lo.router(0), lo.speaker, { port: peer.port, holdTime: 30, ...over }), routes);
  t.teardown(() => sp.stop());
  return { lo, peer, sp };
}

/** The next UPDATE that is not an End-of-RIB. */
async function nextUpdate(c: PeerConnection): Promise<UpdateMessage> {
  for (let i = 0; i < 10; i++) {
    const u = (await c.next('UPDATE')) as UpdateMessage;
    if (u.nlri.length || u.withdrawn.length || u.attributes.mpReach || u.attributes.mpUnreach?.withdrawn.length) return u;
  }
  throw new Error('only End-of-RIB markers');
}

const codes = (m: BgpMessage): number[] => (m.type === 'OPEN' ? capabilitiesOf(m).map((c) => c.code) : []);
const notif = (m: BgpMessage): string => (m.type === 'NOTIFICATION' ? `${m.code}/${m.subcode}` : m.type);

for (const [cap, opensFirst] of [[65, false], [70, true]] as const) {
  t.test(`OPEN answered with 2/7 naming capability ${cap}${opensFirst ? ' after the peer\'s own OPEN' : ''}: reconnect without it, reach Established`, async (t) => {
    const { peer, sp } = await setup(t);
    const c1 = await peer.connection(0);
    const first = await c1.next('OPEN');
    t.ok(codes(first).includes(cap), `first OPEN offers ${cap}`);
    if (opensFirst) {
      c1.send(routerOpen());
      await c1.next('KEEPALIVE');
    }
    const value = cap === 65 ? [0, 0, 0xfc, 0x58] : [];
    c1.send({ type: 'NOTIFICATION', code: 2, subcode: 7, data: new Uint8Array([cap, value.length, ...value]) });
    const c2 = await peer.connection(1, 5000);
    const second = await establish(c2);
    t.notOk(codes(second).includes(cap), `second OPEN leaves ${cap} out`);
    t.ok(codes(second).includes(1), 'and keeps the others');
    await sp.waitEvent((e) => e.event === 'established', 3000);
    t.ok(sp.events.some((e) => e.event === 'capability-fallback'), 'the fallback is reported');
    const u = (await c2.next('UPDATE')) as UpdateMessage;
    t.same(u.nlri, ['10.2.1.1/32']);
  });
}

t.test('2/4 (unsupported optional parameter): reconnect with a bare OPEN', async (t) => {
  const { peer, sp } = await setup(t);
  const c1 = await peer.connection(0);
  await c1.next('OPEN');
  c1.send({ type: 'NOTIFICATION', code: 2, subcode: 4, data: new Uint8Array() });
  const c2 = await peer.connection(1);
  const open = await establish(c2, routerOpen({ params: [] }));
  t.same(open.type === 'OPEN' && open.params, [], 'no optional parameters');
  await sp.waitEvent((e) => e.event === 'established', 3000);
});

t.test('peer AS mismatch → 2/2 with the AS; hold time 1 → 2/6', async (t) => {
  const { peer } = await setup(t);
  const c1 = await peer.connection(0);
  await c1.next('OPEN');
  c1.send(routerOpen({ myAs: 65000, params: [] }));
  const n = (await c1.next('NOTIFICATION')) as NotificationMessage;
  t.equal(notif(n), '2/2');
  t.same([...n.data], [0xfd, 0xe8]);
  await c1.waitClosed();
  const c2 = await peer.connection(1);
  await c2.next('OPEN');
  c2.send(routerOpen({ holdTime: 1 }));
  t.equal(notif(await c2.next('NOTIFICATION')), '2/6');
});

t.test('more received prefixes than the inbound limit with action teardown → Cease 6/1 with RFC 4486 data', async (t) => {
  const { peer, sp } = await setup(t, { inboundLimit: 1000, inboundLimitAction: 'teardown' });
  const c = await peer.connection(0);
  await establish(c);
  const nlri = Array.from({ length: 1001 }, (_, i) => `10.${(i >> 8) & 255}.${i & 255}.0/24`);
  for (let i = 0; i < nlri.length; i += 500) {
    c.send({ type: 'UPDATE', withdrawn: [], nlri: nlri.slice(i, i + 500), attributes: { origin: 'IGP', asPath: [{ type: 'AS_SEQUENCE', asns: [64601] }], nextHop: '10.255.0.2' } });
  }
  const n = (await c.next('NOTIFICATION')) as NotificationMessage;
  t.equal(notif(n), '6/1');
  t.same([...n.data], [0, 1, 1, 0, 0, 3, 0xe8], 'AFI 1, SAFI 1, limit 1000');
  await c.waitClosed();
  t.equal(sp.speaker.status().peers[0]?.lastNotificationSent?.code, 6);
});

t.test('attribute error is treat-as-withdraw (session stays); a bad marker resets with 1/1', async (t) => {
  const { peer, sp } = await setup(t);
  const c = await peer.connection(0);
  await establish(c);
  await c.next('UPDATE');
  // UPDATE with ORIGIN value 7 (RFC 7606 §7.1: treat-as-withdraw)
  const bad = [...new Uint8Array(16).fill(0xff), 0, 0, 2, 0, 0, 0, 14, 0x40, 1, 1, 7, 0x40, 2, 0, 0x40, 3, 4, 10, 255, 0, 2, 24, 10, 1, 1];
  bad[17] = bad.length;
  c.sendRaw(new Uint8Array(bad));
  await sp.waitEvent((e) => e.event === 'update-error', 3000, 'update-error event');
  c.send({ type: 'KEEPALIVE' });
  t.equal(sp.speaker.status().peers[0]?.state, 'Established', 'still Established after an attribute error');
  t.equal(sp.speaker.status().peers[0]?.side, 'active', "PyBal's side: we dialled the router");
  const broken = new Uint8Array(19).fill(0xff);
  broken[0] = 0; broken[17] = 19; broken[18] = 4;
  c.sendRaw(broken);
  t.equal(notif(await c.next('NOTIFICATION')), '1/1', 'Connection Not Synchronized');
  await c.waitClosed();
});

t.test('ROUTE-REFRESH is answered with BoRR, the whole Adj-RIB-Out, EoRR', async (t) => {
  const { peer } = await setup(t, {}, [vip('10.2.1.1/32'), vip('10.2.1.2/32', 200)]);
  const c = await peer.connection(0);
  await establish(c);
  c.send({ type: 'ROUTE-REFRESH', afi: 1, safi: 1, subtype: 0 });
  const seq: string[] = [];
  for (let i = 0; i < 20 && !seq.includes('EoRR'); i++) {
    const m = await c.next();
    if (m.type === 'ROUTE-REFRESH') seq.push(m.subtype === 1 ? 'BoRR' : 'EoRR');
    else if (m.type === 'UPDATE' && seq.includes('BoRR')) seq.push(...m.nlri);
  }
  t.same(seq, ['BoRR', '10.2.1.1/32', '10.2.1.2/32', 'EoRR']);
});

t.test('a silent peer: hold timer expiry sends 4/0', async (t) => {
  const { peer } = await setup(t, { holdTime: 3 });
  const c = await peer.connection(0);
  await establish(c, routerOpen({ holdTime: 3 }));
  const n = await c.next('NOTIFICATION', 6000);
  t.equal(notif(n), '4/0');
});

t.test('passive mode: the router connects to us', async (t) => {
  const lo = loopbackBlock();
  const sp = await startSpeaker(labPeer(lo.router(0), lo.speaker, { mode: 'passive', port: 0, holdTime: 30 }), [vip('10.2.1.1/32')]);
  t.teardown(() => sp.stop());
  const port = sp.speaker.listening()[0]?.port ?? 0;
  t.ok(port > 0, 'listening on an ephemeral port');
  const c = await dialSpeaker(lo.speaker, port, lo.router(0));
  await establish(c);
  const u = (await c.next('UPDATE')) as UpdateMessage;
  t.same(u.nlri, ['10.2.1.1/32']);
  t.equal(sp.speaker.status().peers[0]?.state, 'Established');
  t.equal(sp.speaker.status().peers[0]?.side, 'passive', "PyBal's side: the router dialled us");
});

t.test('collision (RFC 4271 §6.8): both sides connect; the higher BGP identifier keeps its own connection', async (t) => {
  // Our id 10.0.0.1 is lower than the peer's 10.255.0.2, so the connection the peer initiated survives.
  const lo = loopbackBlock();
  const peer = await startScriptedPeer(lo.router(0));
  t.teardown(() => peer.close());
  const sp = await startSpeaker(labPeer(lo.router(0), lo.speaker, { mode: 'both', port: peer.port, holdTime: 30 }), [vip('10.2.1.1/32')], { routerId: '10.0.0.1' });
  t.teardown(() => sp.stop());
  const out = await peer.connection(0);
  await out.next('OPEN');
  const port = sp.speaker.listening()[0]?.port ?? 0;
  t.equal(port, peer.port, 'listening on the configured port too');
  const inbound = await dialSpeaker(lo.speaker, port, lo.router(0));
  inbound.send(routerOpen({ bgpId: '10.255.0.2' }));
  t.equal(notif(await out.next('NOTIFICATION')), '6/7', 'our outbound connection is dumped with Cease 6/7 (peer id is higher)');
  await inbound.next('OPEN');
  await inbound.next('KEEPALIVE');
  inbound.send({ type: 'KEEPALIVE' });
  await sp.waitEvent((e) => e.event === 'established', 3000);
  const u = (await inbound.next('UPDATE')) as UpdateMessage;
  t.same(u.nlri, ['10.2.1.1/32'], 'the surviving inbound connection carries the routes');
  t.equal(sp.speaker.status().peers[0]?.side, 'passive', 'the surviving connection is the inbound one');
});

t.test('collision (RFC 4271 §6.8), our identifier higher: the peer\'s connection gets 6/7, ours stays', async (t) => {
  const lo = loopbackBlock();
  const peer = await startScriptedPeer(lo.router(0));
  t.teardown(() => peer.close());
  const sp = await startSpeaker(labPeer(lo.router(0), lo.speaker, { mode: 'both', port: peer.port, holdTime: 30 }), [vip('10.2.1.1/32')], { routerId: '10.255.0.200' });
  t.teardown(() => sp.stop());
  const out = await peer.connection(0);
  await out.next('OPEN');
  const inbound = await dialSpeaker(lo.speaker, sp.speaker.listening()[0]?.port ?? 0, lo.router(0));
  inbound.send(routerOpen({ bgpId: '10.255.0.2' }));
  t.equal(notif(await inbound.next('NOTIFICATION')), '6/7', 'the second (inbound) connection is refused with Cease 6/7');
  await inbound.waitClosed();
  out.send(routerOpen({ bgpId: '10.255.0.2' }));
  out.send({ type: 'KEEPALIVE' });
  await sp.waitEvent((e) => e.event === 'established', 3000);
  t.same(((await out.next('UPDATE')) as UpdateMessage).nlri, ['10.2.1.1/32'], 'our outbound connection carries the session');
  t.equal(sp.speaker.status().peers[0]?.side, 'active');
  t.equal(sp.speaker.status().peers[0]?.flaps, 0, 'no flap');
});

t.test('addPeer / removePeer leave the other session alone; RFC 8326 GRACEFUL_SHUTDOWN before the withdraw', async (t) => {
  const lo = loopbackBlock();
  const p1 = await startScriptedPeer(lo.router(0));
  const p2 = await startScriptedPeer(lo.router(1));
  t.teardown(() => p1.close());
  t.teardown(() => p2.close());
  const sp = await startSpeaker(labPeer(lo.router(0), lo.speaker, { port: p1.port, holdTime: 30 }), [vip('10.2.1.1/32')]);
  t.teardown(() => sp.stop());
  const c1 = await p1.connection(0);
  await establish(c1);
  await c1.next('UPDATE');
  await sp.speaker.addPeer(labPeer(lo.router(1), lo.speaker, { port: p2.port, holdTime: 30 }));
  const c2 = await p2.connection(0);
  await establish(c2);
  t.same(((await c2.next('UPDATE')) as UpdateMessage).nlri, ['10.2.1.1/32'], 'the new peer gets the table');
  await t.rejects(sp.speaker.addPeer(labPeer(lo.router(1), lo.speaker)), /already configured/);
  await sp.speaker.removePeer(lo.router(1), 'peer removed from config');
  const n = (await c2.next('NOTIFICATION')) as NotificationMessage;
  t.equal(notif(n), '6/2');
  t.equal(sp.speaker.status().peers.length, 1);
  t.equal(sp.speaker.status().peers[0]?.state, 'Established', 'the first session was not touched');
  t.notOk(c1.closed);
  const stopping = sp.speaker.stop({ message: 'bye', gracefulShutdownMs: 200 });
  const gs = await nextUpdate(c1);
  t.ok(gs.nlri.includes('10.2.1.1/32') && gs.attributes.communities?.includes(0xffff0000), 're-announced with GRACEFUL_SHUTDOWN 65535:0');
  const w = await nextUpdate(c1);
  t.same(w.withdrawn, ['10.2.1.1/32'], 'then withdrawn');
  t.equal(notif(await c1.next('NOTIFICATION')), '6/2');
  await stopping;
});

t.test('a route of a family the peer did not offer is refused and reported, the rest is sent', async (t) => {
  const { peer, sp } = await setup(t, {}, [vip('10.2.1.1/32'), vip('2620:0:860:1::10/128')]);
  const c = await peer.connection(0);
  const ours = await establish(c, routerOpen({ params: [{ type: 2, capabilities: [{ code: 1, name: 'multiprotocol', afi: 1, safi: 1 }] }] }));
  t.ok(capabilitiesOf(ours).some((x) => x.name === 'multiprotocol' && x.afi === 2), 'we offered IPv6 because a VIP has it');
  t.same((await nextUpdate(c)).nlri, ['10.2.1.1/32']);
  const r = await sp.waitEvent((e) => e.event === 'refused', 3000);
  t.match(r, { prefixes: ['2620:0:860:1::10/128'], reason: /family not negotiated/ });
});
