import t from 'tap';
import { createServer, type Socket } from 'node:net';
import { readdirSync } from 'node:fs';
import { secureSockets } from '../../src/cli/run/tcp-security.js';
import { Secret } from '../../src/config/secret.js';
import { dial } from '../../src/speaker/dial.js';
import { Speaker } from '../../src/speaker/speaker.js';
import { systemClock } from '../../src/time/clock.js';
import { silentLogger } from '../../src/log/logger.js';
import { loopbackBlock } from '../lab/netns.js';
import { waitFor } from '../lab/proc.js';
import { freePort } from './e2e-helpers.js';

// The TCP-MD5 / GTSM socket path on the real kernel, without a router: the dial contract
// (connected, refused, cancelled, no fd leaked) and the listener (a key per peer, a plain listener
// reopened when a peer with a password joins it).
const sockets = secureSockets();
const key = (pw: string): Secret => new Secret(Buffer.from(pw), null);
const fds = (): number => readdirSync('/proc/self/fd').length;

function dialP(to: Parameters<typeof dial>[0]): Promise<{ sock?: Socket; reason?: string }> {
  return new Promise((resolve) => dial(to, (sock) => resolve({ sock }), (reason) => resolve({ reason })));
}

t.test('addon present', async (t) => { t.ok(sockets, 'native addon with tcpSocket/tcpMd5Key/tcpConnect/tcpRelease'); });

t.test('secure dial: errors name errno; a closed port gets no answer; cancel leaves no fd behind', async (t) => {
  if (!sockets) return;
  const lo = loopbackBlock();
  const port = await freePort(lo.speaker);
  const before = fds();
  const bad = await dialP({ host: lo.speaker, port, localAddress: '192.0.2.77', md5Key: key('x'), sockets });
  t.match(bad.reason, 'socket EADDRNOTAVAIL', 'a local address not on this host');
  // The kernel's RST to a closed port is unsigned (and sent with TTL 64): a socket with a key, or
  // with GTSM, drops it, so a refused connect looks like no answer at all (the hint covers it).
  for (const opts of [{ md5Key: key('x') }, { ttlSecurity: true }]) {
    let called = false;
    const cancel = dial({ host: lo.speaker, port, sockets, ...opts }, () => { called = true; }, () => { called = true; });
    await new Promise((r) => setTimeout(r, 1000));
    t.notOk(called, `no answer from a closed port (${Object.keys(opts)[0]})`);
    cancel();
  }
  await new Promise((r) => setTimeout(r, 100));
  t.equal(fds(), before, 'no fd leaked');
});

t.test('secure dial with the right key to a keyed listener: a working socket', async (t) => {
  if (!sockets) return;
  const lo = loopbackBlock();
  const port = await freePort(lo.speaker);
  const fd = sockets.tcpSocket(4, lo.speaker, port, true);
  t.ok(fd >= 0);
  t.equal(sockets.tcpMd5Key(fd, lo.speaker, Buffer.from('k1')), 0);
  const server = createServer((s) => s.end('hi'));
  await new Promise<void>((resolve) => server.listen({ fd }, resolve));
  t.teardown(() => server.close());
  const ok = await dialP({ host: lo.speaker, port, localAddress: lo.speaker, md5Key: key('k1'), ttlSecurity: true, sockets });
  t.ok(ok.sock, 'connected');
  const data = await new Promise<string>((resolve) => ok.sock!.once('data', (d) => resolve(d.toString())));
  t.equal(data, 'hi');
  ok.sock!.destroy();
  let done = false;
  const cancel = dial({ host: lo.speaker, port, localAddress: lo.speaker, sockets, ttlSecurity: true, md5Key: key('k2') }, () => { done = true; }, () => { done = true; });
  await new Promise((r) => setTimeout(r, 1500));
  t.notOk(done, 'a wrong key gets no answer (the kernel drops the SYN)');
  cancel();
});

t.test('Speaker: a password without the addon is a config error; a plain listener is reopened for a keyed peer', async (t) => {
  t.throws(() => new Speaker({ localAs: 64600, routerId: '10.0.0.1', peers: [{ address: '127.0.0.9', md5Key: key('x') }] }, systemClock, silentLogger),
    /peer 1 \(127\.0\.0\.9\): TCP-MD5 \/ TTL security need vipd's native addon/);
  if (!sockets) return;
  const lo = loopbackBlock();
  const port = await freePort(lo.speaker);
  const sp = new Speaker({ localAs: 64600, routerId: '10.0.0.1', peers: [] }, systemClock, silentLogger, sockets);
  t.teardown(() => sp.stop());
  await sp.start();
  const plain = lo.router(60);
  const keyed = lo.router(61);
  await sp.addPeer({ address: plain, mode: 'passive', localAddress: lo.speaker, port, connectRetryMs: 60_000 });
  await sp.addPeer({ address: keyed, mode: 'passive', localAddress: lo.speaker, port, md5Key: key('k3'), connectRetryMs: 60_000 });
  t.equal(sp.listening().length, 1, 'one listener for both');
  // the keyed peer connects with its key: accepted (the session moves out of Active)
  const ok = await dialP({ host: lo.speaker, port, localAddress: keyed, md5Key: key('k3'), sockets });
  t.ok(ok.sock, 'the keyed peer gets through the reopened listener');
  await waitFor('OpenSent', 5000, async () => sp.status().peers.find((p) => p.peer === keyed)?.state === 'OpenSent', 20);
  ok.sock!.destroy();
  const plainOk = await dialP({ host: lo.speaker, port, localAddress: plain });
  t.ok(plainOk.sock, 'the peer without a password still connects unsigned');
  plainOk.sock!.destroy();
  await t.rejects(sp.addPeer({ address: lo.router(62), mode: 'passive', localAddress: lo.speaker, port, ttlSecurity: true }),
    /bgp-ttl-security must be the same for every peer listened for/);
});
