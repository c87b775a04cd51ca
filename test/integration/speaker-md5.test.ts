import t, { type Test } from 'tap';
import { needTools } from '../lab/need-tools.js';
import { createNetns, loopbackBlock } from '../lab/netns.js';
import { ROUTER_BINARIES, startRouter, type RouterKind } from '../lab/router.js';
import { sleep } from '../lab/proc.js';
import { createLogger } from '../../src/log/logger.js';
import { Secret } from '../../src/config/secret.js';
import { secureSockets } from '../../src/cli/run/tcp-security.js';
import type { PeerConfig } from '../../src/speaker/types.js';
import { labPeer, startSpeaker, vip } from './speaker-helpers.js';

// Issue 14 §3 against real FRR, BIRD and GoBGP: TCP-MD5 (RFC 2385) on the connecting and the
// listening socket, GTSM (RFC 5082), and what vipd says when the kernel drops segments silently.
const kinds: RouterKind[] = ['bird', 'gobgp', 'frr'];
const RIGHT = 'lab-md5-Secret_1';
const WRONG = 'not-the-password';
const HINT_MD5 = 'no answer from the peer; check the MD5 password on both sides';
t.jobs = 3;

const sockets = secureSockets();
const key = (pw: string): Secret => new Secret(Buffer.from(pw), null);

function logSink(): { lines: string[]; log: ReturnType<typeof createLogger> } {
  const lines: string[] = [];
  return { lines, log: createLogger({ level: 'debug', json: true, write: (l) => lines.push(l) }) };
}

/** Runs a session that must not come up; returns the speaker's status and log after `ms`. */
async function noSession(t: Test, kind: RouterKind, ip: string, speakerIp: string, router: { md5Password?: string; ttlSecurity?: boolean }, peer: Partial<PeerConfig>, ms: number) {
  const r = await startRouter({ kind, routerIp: ip, speakerIp, holdTime: 9, passive: true, ...router });
  t.teardown(() => r.stop());
  const { lines, log } = logSink();
  const sp = await startSpeaker(labPeer(ip, speakerIp, { connectRetryMs: 1500, ...peer }), [vip('10.2.1.1/32')], { log, sockets });
  t.teardown(() => sp.stop());
  await sleep(ms);
  t.notOk(sp.events.some((e) => e.event === 'established'), 'no session');
  t.notOk(await r.established(), `${kind} has no session either`);
  return { status: sp.speaker.status().peers[0]!, lines };
}

t.test('the native addon has the TCP-MD5 / GTSM sockets', async (t) => {
  t.ok(sockets, 'secureSockets() from native/build/Release/vipd_native.node (npm run build:native)');
});

kinds.forEach((kind, k) => {
  t.test(`${kind}: TCP-MD5 + GTSM, we connect: Established, VIP learned`, async (t) => {
    if (!sockets || !needTools(t, ...ROUTER_BINARIES[kind])) return;
    const lo = loopbackBlock();
    const ip = lo.router(10 + k * 6);
    const router = await startRouter({ kind, routerIp: ip, speakerIp: lo.speaker, holdTime: 9, passive: true, md5Password: RIGHT, ttlSecurity: true });
    t.teardown(() => router.stop());
    const { lines, log } = logSink();
    const sp = await startSpeaker(labPeer(ip, lo.speaker, { md5Key: key(RIGHT), ttlSecurity: true }), [vip('10.2.1.1/32')], { log, sockets });
    t.teardown(() => sp.stop());
    await sp.waitEvent((e) => e.event === 'established', 20_000, 'Established');
    const rib = await router.waitRib((r) => r.length === 1, 10_000);
    t.equal(rib[0]?.med, 110, 'VIP in the router\'s RIB');
    t.equal(sp.speaker.status().peers[0]?.side, 'active');
    t.notOk(lines.join('\n').includes(RIGHT), 'the password is not in the log');
    t.notOk(JSON.stringify(sp.speaker.status()).includes(RIGHT), 'nor in the status');
  });

  t.test(`${kind}: TCP-MD5 + GTSM on our listening socket: the router connects, Established`, async (t) => {
    if (!sockets || !needTools(t, ...ROUTER_BINARIES[kind])) return;
    const lo = loopbackBlock();
    const ip = lo.router(11 + k * 6);
    const port = 11790 + k;
    const router = await startRouter({ kind, routerIp: ip, speakerIp: lo.speaker, holdTime: 9, peerPort: port, md5Password: RIGHT, ttlSecurity: true });
    t.teardown(() => router.stop());
    const sp = await startSpeaker(labPeer(ip, lo.speaker, { md5Key: key(RIGHT), ttlSecurity: true, mode: 'passive', port }), [vip('10.2.1.1/32')], { sockets });
    t.teardown(() => sp.stop());
    await sp.waitEvent((e) => e.event === 'established', 30_000, 'Established');
    t.equal(sp.speaker.status().peers[0]?.side, 'passive', 'the router connected to us');
    await router.waitRib((r) => r.length === 1, 10_000);
  });

  t.test(`${kind}: wrong password: no session, and the hint in the status and the log`, async (t) => {
    if (!sockets || !needTools(t, ...ROUTER_BINARIES[kind])) return;
    const lo = loopbackBlock();
    const { status, lines } = await noSession(t, kind, lo.router(12 + k * 6), lo.speaker, { md5Password: RIGHT }, { md5Key: key(WRONG) }, 5000);
    t.equal(status.lastDownReason, HINT_MD5, '/bgp\'s lastDownReason');
    t.ok(lines.some((l) => l.includes(HINT_MD5) && l.includes('"level":"warn"')), 'logged as a warning');
    t.notOk(lines.join('\n').includes(WRONG), 'the password is not in the log');
  });

  t.test(`${kind}: password missing on the router: no session, the hint`, async (t) => {
    if (!sockets || !needTools(t, ...ROUTER_BINARIES[kind])) return;
    const lo = loopbackBlock();
    const { status } = await noSession(t, kind, lo.router(13 + k * 6), lo.speaker, {}, { md5Key: key(RIGHT) }, 5000);
    t.equal(status.lastDownReason, HINT_MD5);
  });

  t.test(`${kind}: we listen (passive), the router connects with a wrong password: no session, the no-connection hint`, async (t) => {
    if (!sockets || !needTools(t, ...ROUTER_BINARIES[kind])) return;
    const lo = loopbackBlock();
    const ip = lo.router(15 + k * 6);
    const port = 11793 + k;
    const router = await startRouter({ kind, routerIp: ip, speakerIp: lo.speaker, holdTime: 9, peerPort: port, md5Password: WRONG });
    t.teardown(() => router.stop());
    const { lines, log } = logSink();
    const sp = await startSpeaker(labPeer(ip, lo.speaker, { md5Key: key(RIGHT), mode: 'passive', port, connectRetryMs: 1500 }), [vip('10.2.1.1/32')], { log, sockets });
    t.teardown(() => sp.stop());
    await sleep(5000);
    t.notOk(sp.events.some((e) => e.event === 'established'), 'no session');
    const hint = 'no connection from the peer; check the MD5 password on both sides';
    t.equal(sp.speaker.status().peers[0]?.lastDownReason, hint, '/bgp\'s lastDownReason');
    t.equal(lines.filter((l) => l.includes(hint) && l.includes('"level":"warn"')).length, 1, 'logged once as a warning');
  });

  t.test(`${kind}: GTSM only on our side: no session, the TTL hint`, async (t) => {
    if (!sockets || !needTools(t, ...ROUTER_BINARIES[kind])) return;
    const lo = loopbackBlock();
    const { status } = await noSession(t, kind, lo.router(14 + k * 6), lo.speaker, {}, { ttlSecurity: true }, 5000);
    t.equal(status.lastDownReason, 'no answer from the peer; check that TTL security (GTSM) is on on both sides and the peer is directly connected');
  });

  t.test(`${kind}: TCP-MD5 + GTSM over IPv6 in a network namespace`, async (t) => {
    if (!sockets || !needTools(t, ...ROUTER_BINARIES[kind], 'ip')) return;
    const ns = await createNetns();
    t.teardown(() => ns.destroy());
    const router = await startRouter({ kind, routerIp: ns.nsIp6, speakerIp: ns.hostIp6, netns: ns.name, v6: true, holdTime: 9, passive: true, md5Password: RIGHT, ttlSecurity: true });
    t.teardown(() => router.stop());
    const sp = await startSpeaker({ address: ns.nsIp6, peerAs: 64601, localAddress: ns.hostIp6, holdTime: 9, idleHoldMs: 200, md5Key: key(RIGHT), ttlSecurity: true },
      [vip('2620:0:860:1::10/128')], { routerId: '10.255.0.1', sockets });
    t.teardown(() => sp.stop());
    await sp.waitEvent((e) => e.event === 'established', 20_000, 'Established');
    const rib = await router.waitRib((r) => r.length === 1, 10_000);
    t.equal(rib[0]?.prefix, '2620:0:860:1::10/128');
  });
});
