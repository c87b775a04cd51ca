import t from 'tap';
import { createSocket, type Socket } from 'node:dgram';
import type { AddressInfo } from 'node:net';
import { createMonitor, HealthRunner, type Monitor, type Target, type Transition } from '../../src/health/index.js';
import { systemClock } from '../../src/time/clock.js';
import { requireTool } from '../support/require-tool.js';
import { startDnsmasq } from '../lab/dnsmasq.js';

// Issue 11: "A DNS server answering garbage (header NOERROR, 65535 answers, junk body) is judged
// healthy". A real dnsmasq and real UDP sockets answering garbage are checked by one runner: the
// garbage servers go down naming the fault, the real server stays up with no transition at all.
const NET = `127.45.${process.pid % 250}`;
const GOOD_IP = `${NET}.1`;
const GARBAGE_IP = `${NET}.2`;
const LOOP_IP = `${NET}.3`;
const OTHER_IP = `${NET}.4`;

async function udpServer(ip: string, answer: (query: Buffer) => Buffer): Promise<{ sock: Socket; port: number }> {
  const sock = createSocket('udp4');
  sock.on('message', (q, from) => sock.send(answer(q), from.port, from.address));
  await new Promise<void>((r) => sock.bind(0, ip, () => r()));
  t.teardown(() => new Promise<void>((r) => sock.close(() => r())));
  return { sock, port: (sock.address() as AddressInfo).port };
}

/** The query's id, then NOERROR with QDCOUNT 1, ANCOUNT 65535 and a junk body. */
const garbage = (q: Buffer): Buffer =>
  Buffer.concat([q.subarray(0, 2), Buffer.from('81800001ffff00000000', 'hex'), Buffer.from('junk junk junk junk, not records at all')]);

/** The query echoed as a NOERROR response with one answer whose owner name points at itself. */
const pointerLoop = (q: Buffer): Buffer => {
  const r = Buffer.from(q);
  r.writeUInt16BE(0x8180, 2);
  r.writeUInt16BE(1, 6);
  const self = r.length;
  return Buffer.concat([r, Buffer.from([0xc0 | (self >> 8), self & 0xff, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 127, 0, 0, 1])]);
};

/** A well-formed NOERROR answer, but for another name than the one asked (RFC 5452 §9.1). */
const otherQuestion = (q: Buffer): Buffer => {
  const r = Buffer.from(q);
  r.writeUInt16BE(0x8180, 2);
  r[13] = 'v'.charCodeAt(0); // www.example.test → vww.example.test
  return r;
};


const bin = requireTool(t, 'dnsmasq', 'the real DNS server the garbage servers are compared with');

if (bin) {
  t.test('garbage and pointer-loop answers are down with the reason; the real server never moves', async (t) => {
    const goodPort = await startDnsmasq(t, bin, GOOD_IP);
    const bad = await udpServer(GARBAGE_IP, garbage);
    const loop = await udpServer(LOOP_IP, pointerLoop);
    const other = await udpServer(OTHER_IP, otherQuestion);
    const monitorFor = (port: number): Monitor => {
      const m = createMonitor('DNSQuery', { hostnames: 'www.example.test', port, interval: 0.2, timeout: 1, rise: 1, fall: 1 });
      if (!m.ok) throw new Error(m.error);
      return m.value;
    };
    const transitions: Transition[] = [];
    const results = new Map<string, number>();
    const runner = new HealthRunner({
      clock: systemClock, onTransition: (tr) => transitions.push(tr),
      onResult: (target) => results.set(target.host, (results.get(target.host) ?? 0) + 1),
    });
    t.teardown(() => runner.stop());
    const targets: [Target, Monitor][] = [
      [{ host: 'good', ip: GOOD_IP, port: 53 }, monitorFor(goodPort)],
      [{ host: 'garbage', ip: GARBAGE_IP, port: 53 }, monitorFor(bad.port)],
      [{ host: 'loop', ip: LOOP_IP, port: 53 }, monitorFor(loop.port)],
      [{ host: 'other', ip: OTHER_IP, port: 53 }, monitorFor(other.port)],
    ];
    for (const [target, m] of targets) runner.add(target, m);
    // Bounded wait: at least 5 results for every server (0.2 s interval).
    for (let i = 0; i < 100 && ['good', 'garbage', 'loop', 'other'].some((h) => (results.get(h) ?? 0) < 5); i++) {
      await new Promise((r) => setTimeout(r, 100));
    }
    runner.stop();
    const of = (host: string): Transition[] => transitions.filter((x) => x.target.host === host);
    t.same(of('good').map((x) => x.up), [true], 'the real server: up once, never down');
    t.match(of('good')[0]?.reason, /NOERROR, 1 answer/);
    t.same(of('garbage').map((x) => x.up), [false], 'the garbage server: down, and stays down');
    t.match(of('garbage')[0]?.reason, /malformed answer: /);
    t.same(of('loop').map((x) => x.up), [false]);
    t.match(of('loop')[0]?.reason, /malformed answer: .*does not point backwards \(loop\)/);
    t.same(of('other').map((x) => x.up), [false]);
    t.match(of('other')[0]?.reason, /answer is for another question \(vww\.example\.test\. type (1|28)\)/);
  });
}
