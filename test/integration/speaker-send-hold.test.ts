import t from 'tap';
import { loopbackBlock } from '../lab/netns.js';
import type { NotificationMessage } from '../../src/bgp/types.js';
import { bgpStatus } from '../../src/cli/run/speaker-adapter.js';
import type { Route } from '../../src/speaker/routes.js';
import { establish, routerOpen, startScriptedPeer } from './scripted-peer.js';
import { labPeer, recordIfAsked, startSpeaker } from './speaker-helpers.js';

// RFC 9687 against a real TCP peer that completes OPEN/KEEPALIVE, keeps sending KEEPALIVEs (so the
// hold timer is happy) and stops reading: vipd's writes fill the kernel's buffers, and after the
// send hold time the session is closed with NOTIFICATION 8 instead of staying Established forever.

const SEND_HOLD_MS = 2000;
const N = 4000;
/** net.Socket's default writableHighWaterMark (Node 20). */
const HIGH_WATER = 16 * 1024;
/** Two disjoint sets of /32 VIPs; switching between them makes vipd send withdrawals and announcements. */
const set = (k: number): Route[] => Array.from({ length: N }, (_, i) => ({ prefix: `10.${100 + k}.${i >> 8}.${i & 255}/32`, med: 100 }));

t.test('a router that stops reading is closed after the send hold time with NOTIFICATION 8; /bgp says why', async (t) => {
  const lo = loopbackBlock();
  await recordIfAsked(t, 'vipd-scripted-send-hold', lo.router(0));
  const peer = await startScriptedPeer(lo.router(0));
  t.teardown(() => peer.close());
  const sp = await startSpeaker(labPeer(lo.router(0), lo.speaker, {
    port: peer.port, holdTime: 30, maxPrefixes: 2 * N, sendHoldMs: SEND_HOLD_MS, idleHoldMs: 60_000, idleHoldMaxMs: 60_000,
  }), set(0));
  t.teardown(() => sp.stop());
  const c = await peer.connection(0);
  await establish(c, routerOpen({ holdTime: 30 }));
  await c.next('UPDATE');
  c.pause();
  const ka = setInterval(() => c.send({ type: 'KEEPALIVE' }), 500);
  t.teardown(() => clearInterval(ka));
  const status = () => sp.speaker.status().peers[0]!;

  // Flap the two sets until vipd's writes no longer fit (bounded: each flap is ~100 kB of UPDATEs).
  // Blocked means past Node's write high-water mark (16 KiB): a few octets waiting while the kernel
  // still takes them is not blocked yet, and the declarations below would rightly be sent.
  let flaps = 0;
  for (; flaps < 400 && status().sendQueueBytes < HIGH_WATER && status().state === 'Established'; flaps++) {
    sp.speaker.setAdvertised(set((flaps + 1) % 2));
    await new Promise((r) => setTimeout(r, 5));
  }
  const blockedAt = Date.now();
  const queued = status().sendQueueBytes;
  t.ok(queued >= HIGH_WATER, `the socket filled up after ${flaps} flaps (${queued} octets waiting)`);
  t.equal(status().state, 'Established', 'still Established when the writes stop getting through');

  // Backpressure: while blocked, new declarations are held back, not queued behind the stuck ones
  for (let i = 0; i < 20; i++) sp.speaker.setAdvertised(set((flaps + i) % 2));
  t.ok(status().sendQueueBytes < queued + 1024, `declarations while blocked do not pile up (${status().sendQueueBytes} octets)`);

  const down = await sp.waitEvent((e) => e.event === 'down', SEND_HOLD_MS + 8000, 'session down');
  const after = Date.now() - blockedAt;
  t.match(down, { reason: /send hold timer expired/ });
  t.ok(after >= SEND_HOLD_MS - 100, `not before the send hold time (${after} ms)`);
  const p = status();
  t.not(p.state, 'Established');
  t.match(p.lastNotificationSent, { code: 8, subcode: 0, name: 'Send Hold Timer Expired' }, 'NOTIFICATION 8 attempted');
  const bgp = bgpStatus(sp.speaker.status(), Date.now()).peers[0]!;
  t.match(bgp.lastDownReason, /send hold timer expired: the peer took nothing we sent for 2 s/, '/bgp shows why');
  t.match(bgp.lastNotificationSent, { code: 8, name: 'Send Hold Timer Expired' });
  t.equal(bgp.establishedSince, null);

  // The router's side: its connection is gone (reset, or closed once it reads again)
  c.resume();
  await c.waitClosed(8000);
  const notes = c.received.filter((m): m is NotificationMessage => m.type === 'NOTIFICATION');
  t.ok(notes.every((n) => n.code === 8), `whatever NOTIFICATION got through is 8 (${notes.length} did)`);
});
