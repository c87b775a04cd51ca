import t from 'tap';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { needTools } from './need-tools.js';
import { loopbackBlock } from './netns.js';
import { waitFor } from './proc.js';
import { ROUTER_BINARIES, startRouter, type RouterKind } from './router.js';

// A speaker that listens on an ephemeral port: each router, given peerPort, connects out to it from its own
// address and sends its OPEN first (what a passive vipd speaker would see).
const kinds: RouterKind[] = ['frr', 'bird', 'gobgp'];

for (const kind of kinds) {
  t.test(`${kind} connects out to the speaker's port`, async (t) => {
    if (!needTools(t, ...ROUTER_BINARIES[kind])) return;
    const lo = loopbackBlock();
    const sockets: Socket[] = [];
    const received: Buffer[] = [];
    const server = createServer((s) => {
      sockets.push(s);
      s.on('data', (d: Buffer) => received.push(d));
      s.on('error', () => undefined);
    });
    await new Promise<void>((resolve) => server.listen(0, lo.speaker, resolve));
    t.teardown(() => { for (const s of sockets) s.destroy(); server.close(); });
    const port = (server.address() as AddressInfo).port;
    const router = await startRouter({ kind, routerIp: lo.router(0), speakerIp: lo.speaker, peerPort: port });
    t.teardown(() => router.stop());
    await waitFor(`${kind} to connect to ${lo.speaker}:${port}`, 15_000, async () => sockets.length > 0);
    t.equal(sockets[0]!.remoteAddress, lo.router(0), 'from the router address only');
    const first = await waitFor('its OPEN', 5_000, async () => Buffer.concat(received).length >= 19 && Buffer.concat(received));
    t.equal(first[18], 1, 'the first message is an OPEN');
    t.equal(first.readUInt16BE(19 + 1), 64601, 'My AS 64601');
    t.equal(first.readUInt16BE(19 + 3), 30, 'hold time 30');
  });
}
