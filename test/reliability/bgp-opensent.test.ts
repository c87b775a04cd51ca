import t from 'tap';
import { createServer, type Socket } from 'node:net';
import { needTools } from '../lab/need-tools.js';
import { loopbackBlock } from '../lab/netns.js';
import { ROUTER_BINARIES, startRouter } from '../lab/router.js';
import { waitFor } from '../lab/proc.js';
import { labPeer, startSpeaker, vip } from '../integration/speaker-helpers.js';

// Issue 11 §8: "A peer that accepts TCP and never sends holds the session in OpenSent for four
// minutes." A real TCP listener that accepts vipd's connection and never sends a byte; vipd also
// peers with a real BIRD that takes its VIP. The silent session must leave OpenSent with Hold Timer
// Expired within the configured hold time (3 s here), and nothing happens to the BIRD session.

const HOLD = 3;

interface Silent { address: string; port: number; received: { type: number; code?: number; subcode?: number; at: number }[]; close(): Promise<void> }

/** Accepts, reads and records BGP messages, never writes. */
async function silentPeer(address: string): Promise<Silent> {
  const received: Silent['received'] = [];
  const sockets = new Set<Socket>();
  const server = createServer((s) => {
    sockets.add(s);
    let buf = Buffer.alloc(0);
    s.on('data', (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      for (let guard = 0; buf.length >= 19 && guard < 1000; guard++) {
        const len = buf.readUInt16BE(16);
        if (len < 19 || buf.length < len) break;
        const type = buf[18]!;
        received.push(type === 3 ? { type, code: buf[19]!, subcode: buf[20]!, at: Date.now() } : { type, at: Date.now() });
        buf = buf.subarray(len);
      }
    });
    s.on('error', () => {});
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve, reject) => { server.once('error', reject); server.listen(0, address, () => resolve()); });
  const port = (server.address() as { port: number }).port;
  return {
    address, port, received,
    close: () => new Promise<void>((r) => { for (const s of sockets) s.destroy(); server.close(() => r()); }),
  };
}

t.test('a peer that accepts and never sends: Hold Timer Expired after the configured hold time; BIRD untouched', async (t) => {
  if (!needTools(t, ...ROUTER_BINARIES.bird)) return;
  const lo = loopbackBlock();
  const bird = await startRouter({ kind: 'bird', routerIp: lo.router(0), speakerIp: lo.speaker, passive: true });
  t.teardown(() => bird.stop());
  const silent = await silentPeer(lo.router(5));
  t.teardown(() => silent.close());

  const sp = await startSpeaker(labPeer(bird.ip, lo.speaker), [vip('10.2.1.1/32')]);
  t.teardown(() => sp.stop());
  await sp.speaker.addPeer({ ...labPeer(silent.address, lo.speaker), holdTime: HOLD, port: silent.port, idleHoldMs: 60_000, idleHoldMaxMs: 60_000 });
  await bird.waitRib((rib) => rib.some((r) => r.prefix === '10.2.1.1/32'), 20_000);

  const open = await waitFor('our OPEN at the silent peer', 10_000, async () => silent.received.find((m) => m.type === 1));
  // Without the bound this waits 240 s (RFC 4271's "large value"); the tap timeout would end it first.
  const note = await waitFor('a NOTIFICATION at the silent peer', (HOLD + 5) * 1000, async () => silent.received.find((m) => m.type === 3));
  t.same([note.code, note.subcode], [4, 0], 'Hold Timer Expired');
  const waited = note.at - open.at;
  t.ok(waited >= (HOLD - 0.5) * 1000 && waited <= (HOLD + 1.5) * 1000, `left OpenSent after ${waited} ms (hold time ${HOLD} s)`);
  t.ok(sp.events.some((e) => e.event === 'state' && e.peer === silent.address && e.previous === 'OpenSent' && e.state === 'Idle'), 'OpenSent → Idle');
  t.ok(sp.events.some((e) => e.event === 'down' && e.peer === silent.address && e.reason === 'hold timer expired'), 'reason: hold timer expired');
  const status = sp.speaker.status().peers.find((p) => p.peer === silent.address);
  t.match(status?.lastNotificationSent, { code: 4, subcode: 0 });

  t.ok(await bird.established(), 'the BIRD session stayed Established');
  t.ok((await bird.rib()).some((r) => r.prefix === '10.2.1.1/32'), 'the VIP stayed in BIRD\'s RIB');
  t.notOk(sp.events.some((e) => e.event === 'down' && e.peer === bird.ip), 'the BIRD session never went down');
});

