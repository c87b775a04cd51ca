import t, { type Test } from 'tap';
import { loopbackBlock } from '../lab/netns.js';
import { capabilitiesOf } from '../../src/fsm/negotiation.js';
import { Speaker } from '../../src/speaker/speaker.js';
import { systemClock } from '../../src/time/clock.js';
import { silentLogger } from '../../src/log/logger.js';
import type { Capability, UpdateMessage } from '../../src/bgp/types.js';
import { establish, routerOpen, startScriptedPeer } from './scripted-peer.js';
import { labPeer, vip } from './speaker-helpers.js';

// RFC 4724 / RFC 8538 on real loopback sockets against a scripted router: the R and N bits,
// End-of-RIB held until the routes are known, and what each kind of stop puts on the wire.

const isEor = (u: UpdateMessage): boolean => !u.nlri.length && !u.withdrawn.length && !u.attributes.mpReach && !u.attributes.mpUnreach?.withdrawn.length;

function grOpen(nBit: boolean) {
  const o = routerOpen();
  const caps = (o.params[0] as { capabilities: Capability[] }).capabilities;
  const gr: Capability = { code: 64, name: 'graceful-restart', restartFlags: nBit ? 0x4 : 0, restartTime: 120, families: [{ afi: 1, safi: 1, flags: 0 }] };
  return { ...o, params: [{ type: 2 as const, capabilities: [...caps, gr] }] };
}

async function setup(t: Test, o: { restarting?: boolean; awaitRoutes?: boolean } = {}) {
  const lo = loopbackBlock();
  const peer = await startScriptedPeer(lo.router(0));
  t.teardown(() => peer.close());
  const speaker = new Speaker({
    localAs: 64600, peers: [labPeer(lo.router(0), lo.speaker, { port: peer.port, holdTime: 30, gracefulRestartTime: 120 })], ...o,
  }, systemClock, silentLogger);
  speaker.setAdvertised([vip('10.2.1.1/32')]);
  await speaker.start();
  t.teardown(() => speaker.stop());
  return { peer, speaker };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

t.test('after a restart: R and N in the OPEN; the routes go at once, End-of-RIB only when they are all known', async (t) => {
  const { peer, speaker } = await setup(t, { restarting: true, awaitRoutes: true });
  const c = await peer.connection(0);
  const open = await establish(c, grOpen(true));
  const gr = capabilitiesOf(open).find((x) => x.name === 'graceful-restart');
  t.match(gr, { restartFlags: 0xc, restartTime: 120, families: [{ afi: 1, safi: 1, flags: 0x80 }] }, 'R, N, F');
  const u = (await c.next('UPDATE')) as UpdateMessage;
  t.same(u.nlri, ['10.2.1.1/32'], 'the known route');
  await sleep(300);
  const updates = c.received.filter((m): m is UpdateMessage => m.type === 'UPDATE');
  t.notOk(updates.some(isEor), 'no End-of-RIB yet');
  speaker.setAdvertised([vip('10.2.1.1/32'), vip('10.2.1.2/32')]);
  speaker.routesComplete();
  const next = (await c.next('UPDATE')) as UpdateMessage;
  t.same(next.nlri, ['10.2.1.2/32']);
  t.ok(isEor((await c.next('UPDATE')) as UpdateMessage), 'then End-of-RIB');
});

for (const nBit of [false, true]) {
  t.test(`planned restart, router ${nBit ? 'with' : 'without'} N: nothing withdrawn, ${nBit ? 'Cease 6/4 (not Hard Reset)' : 'no NOTIFICATION'}, then the close`, async (t) => {
    const { peer, speaker } = await setup(t);
    const c = await peer.connection(0);
    await establish(c, grOpen(nBit));
    await c.next('UPDATE');
    const before = c.received.length;
    await speaker.stop({ message: 'vipd restarting', gracefulRestart: true });
    await c.waitClosed();
    const after = c.received.slice(before);
    t.notOk(after.some((m) => m.type === 'UPDATE' && (m.withdrawn.length > 0)), 'no withdrawal');
    const notes = after.filter((m) => m.type === 'NOTIFICATION').map((m) => (m.type === 'NOTIFICATION' ? `${m.code}/${m.subcode}` : ''));
    t.same(notes, nBit ? ['6/4'] : []);
  });
}

t.test('full stop with N negotiated: withdraw, then Hard Reset carrying 6/2; a router without GR gets withdraw + 6/2 even on a planned restart', async (t) => {
  const a = await setup(t);
  const c = await a.peer.connection(0);
  await establish(c, grOpen(true));
  await c.next('UPDATE');
  await a.speaker.stop({ message: 'bye' });
  await c.waitClosed();
  t.ok(c.received.some((m) => m.type === 'UPDATE' && m.withdrawn.includes('10.2.1.1/32')), 'withdrawn');
  const n = c.received.find((m) => m.type === 'NOTIFICATION');
  t.match(n, { code: 6, subcode: 9 });
  t.same(n?.type === 'NOTIFICATION' ? [...n.data.slice(0, 2)] : [], [6, 2]);

  const b = await setup(t);
  const c2 = await b.peer.connection(0);
  await establish(c2);
  await c2.next('UPDATE');
  await b.speaker.stop({ message: 'restart', gracefulRestart: true });
  await c2.waitClosed();
  t.ok(c2.received.some((m) => m.type === 'UPDATE' && m.withdrawn.includes('10.2.1.1/32')), 'no GR with this router: withdrawn');
  t.match(c2.received.find((m) => m.type === 'NOTIFICATION'), { code: 6, subcode: 2 });
});
