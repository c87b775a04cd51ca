// Child process of bench/speaker.bench.ts: two scripted BGP peers on loopback, in their own event
// loop so that they do not share the speaker's. Peer A (hold 3 s) records when each KEEPALIVE from
// the speaker arrives; peer B floods the speaker with 1,000,000 /32s, withdraws them, and repeats
// until the time is up. Prints `{"ports":...}` once listening and `{"result":...}` at the end.
// usage: node speaker-peers.js ADDR_A ADDR_B SECONDS
import { createServer, type Socket } from 'node:net';
import { Framer, decodeMessage, encodeMessage, type BgpMessage, type CodecContext } from '../src/bgp/index.js';

const [addrA = '127.77.0.2', addrB = '127.77.0.3', secondsText = '12'] = process.argv.slice(2);
const seconds = Number(secondsText);
const CTX: CodecContext = { fourOctetAs: true, extendedMessage: false };
const PREFIXES = 1_000_000;
const PER_UPDATE = 800;

function floodBuffers(): { announce: Buffer; withdraw: Buffer } {
  const a: Uint8Array[] = [];
  const w: Uint8Array[] = [];
  for (let start = 0; start < PREFIXES; start += PER_UPDATE) {
    const nlri: string[] = [];
    for (let i = start; i < Math.min(PREFIXES, start + PER_UPDATE); i++) nlri.push(`11.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}/32`);
    a.push(encodeMessage({ type: 'UPDATE', withdrawn: [], nlri, attributes: { origin: 'IGP', asPath: [{ type: 'AS_SEQUENCE', asns: [64601] }], nextHop: '192.0.2.20' } }, CTX));
    w.push(encodeMessage({ type: 'UPDATE', withdrawn: nlri, nlri: [], attributes: {} }, CTX));
  }
  return { announce: Buffer.concat(a), withdraw: Buffer.concat(w) };
}

const open = (hold: number): BgpMessage => ({
  type: 'OPEN', version: 4, myAs: 64601, holdTime: hold, bgpId: '10.255.0.2',
  params: [{ type: 2, capabilities: [{ code: 1, name: 'multiprotocol', afi: 1, safi: 1 }, { code: 65, name: 'four-octet-as', asn: 64601 }] }],
});

function onMessages(sock: Socket, fn: (m: BgpMessage) => void): void {
  const framer = new Framer(CTX);
  sock.on('data', (d: Buffer) => {
    for (const bytes of framer.push(new Uint8Array(d)).messages) {
      const r = decodeMessage(bytes, CTX);
      if (r.ok) fn(r.value);
    }
  });
  sock.on('error', () => {});
}

const write = (s: Socket, b: Uint8Array): Promise<void> =>
  new Promise((resolve) => { if (s.write(b)) resolve(); else s.once('drain', () => resolve()); });

const flood = floodBuffers();
const keepalives: number[] = [];
let floodStart = 0;
let floodEnd = 0;
let cycles = 0;
let stopAt = Infinity;

const peerA = createServer((sock) => {
  let opened = false;
  onMessages(sock, (m) => {
    if (m.type === 'OPEN' && !opened) { opened = true; sock.write(encodeMessage(open(3), CTX)); sock.write(encodeMessage({ type: 'KEEPALIVE' }, CTX)); }
    else if (m.type === 'KEEPALIVE') { keepalives.push(performance.now()); sock.write(encodeMessage({ type: 'KEEPALIVE' }, CTX)); }
  });
});

const peerB = createServer((sock) => {
  let opened = false;
  onMessages(sock, (m) => {
    if (m.type !== 'OPEN' || opened) return;
    opened = true;
    sock.write(encodeMessage(open(90), CTX));
    sock.write(encodeMessage({ type: 'KEEPALIVE' }, CTX));
    void (async () => {
      floodStart = performance.now();
      stopAt = floodStart + seconds * 1000;
      for (let i = 0; i < 1000 && performance.now() < stopAt; i++) {
        await write(sock, flood.announce);
        await write(sock, flood.withdraw);
        cycles++;
      }
      floodEnd = performance.now();
    })();
  });
});

const listen = (s: ReturnType<typeof createServer>, host: string): Promise<number> =>
  new Promise((resolve) => s.listen({ host, port: 0 }, () => {
    const a = s.address();
    resolve(a && typeof a === 'object' ? a.port : 0);
  }));

const ports = { a: await listen(peerA, addrA), b: await listen(peerB, addrB) };
process.stdout.write(JSON.stringify({ ports, floodBytes: flood.announce.length + flood.withdraw.length }) + '\n');
const deadline = performance.now() + (seconds + 30) * 1000;
for (let i = 0; i < 10_000 && !(floodEnd > 0 && performance.now() > floodEnd + 1500) && performance.now() < deadline; i++) {
  await new Promise((r) => setTimeout(r, 100));
}
process.stdout.write(JSON.stringify({ result: { keepalives, floodStart, floodEnd, cycles } }) + '\n');
process.exit(0);
