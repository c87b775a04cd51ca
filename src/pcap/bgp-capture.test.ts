import t from 'tap';
import { keepalive, open, update, vipAttrs, prefix } from '../../test/lab/raw-bgp.js';
import { ipv4, ipv6, link, pcapFile, tcp, TCP_FLAGS, type Packet } from '../../test/lab/synthetic-capture.js';
import { readBgpCapture } from './index.js';

const { SYN, ACK, PSH } = TCP_FLAGS;
const A = '10.255.0.1';
const B = '10.255.0.2';
const o = [...open({ asn: 64600, holdTime: 30, bgpId: '192.0.2.1' })];
const ka = [...keepalive()];
const up = [...update({ attrs: vipAttrs(64600, '192.0.2.10'), nlri: [prefix('10.0.0.1/32')] })];

function session(sport: number, isnA: number, isnB: number, t0: number): Packet[] {
  const seg = (src: string, dst: string, sp: number, dp: number, seq: number, flags: number, payload: number[] = []) =>
    link.ethernet(ipv4(src, dst, tcp({ sport: sp, dport: dp, seq, flags, payload })));
  return [
    { ts: t0, data: seg(A, B, sport, 179, isnA, SYN) },
    { ts: t0 + 0.001, data: seg(B, A, 179, sport, isnB, SYN | ACK) },
    { ts: t0 + 0.002, data: seg(A, B, sport, 179, isnA + 1, ACK | PSH, o) },
    { ts: t0 + 0.003, data: seg(B, A, 179, sport, isnB + 1, ACK | PSH, [...o, ...ka]) },
    // the UPDATE in two segments, the second one first (out of order), plus a retransmission
    { ts: t0 + 0.005, data: seg(A, B, sport, 179, isnA + 1 + o.length + 20, ACK | PSH, up.slice(20)) },
    { ts: t0 + 0.006, data: seg(A, B, sport, 179, isnA + 1 + o.length, ACK | PSH, up.slice(0, 20)) },
    { ts: t0 + 0.007, data: seg(A, B, sport, 179, isnA + 1 + o.length, ACK | PSH, up.slice(0, 20)) },
  ];
}

t.test('two sessions on the same ports: messages per direction, in completion order, one connection id each', async (t) => {
  const file = pcapFile(1, [...session(40000, 100, 5000, 10), ...session(40000, 9000, 7000, 20)]);
  const r = readBgpCapture(file);
  t.ok(r.ok);
  if (!r.ok) return;
  const m = r.value.messages;
  t.same(m.map((x) => x.bytes[18]), [1, 1, 4, 2, 1, 1, 4, 2]);
  t.same(m.map((x) => `${x.src.address}:${x.src.port}`), [
    `${A}:40000`, `${B}:179`, `${B}:179`, `${A}:40000`, `${A}:40000`, `${B}:179`, `${B}:179`, `${A}:40000`,
  ]);
  t.equal(m[3]!.frame, 6, 'the UPDATE completes with the out-of-order segment that filled the hole');
  t.ok(Math.abs(m[3]!.ts - 10.006) < 1e-6);
  t.same(Buffer.from(m[3]!.bytes), Buffer.from(up));
  t.equal(new Set(m.slice(0, 4).map((x) => x.connection)).size, 1, 'both directions share a connection');
  t.not(m[0]!.connection, m[4]!.connection, 'a new SYN is a new connection');
  t.equal(r.value.stats.frames, 14);
});

t.test('a capture joined mid-session, on a port other than 179, over IPv6: found by the marker', async (t) => {
  const payload = [...up.slice(7), ...ka, ...up];
  const frame = link.sll2(ipv6('2001:db8::1', '2001:db8::2', tcp({ sport: 20, dport: 33000, seq: 5, flags: ACK, payload })));
  const r = readBgpCapture(pcapFile(276, [{ ts: 1, data: frame }]));
  t.ok(r.ok);
  if (!r.ok) return;
  t.same(r.value.messages.map((x) => x.bytes[18]), [4, 2]);
  t.equal(r.value.messages[0]!.src.address, '2001:db8::1');
});

t.test('non-BGP TCP and non-IP frames are skipped and counted', async (t) => {
  const http = link.ethernet(ipv4(A, B, tcp({ sport: 80, dport: 5555, seq: 1, payload: [...Buffer.from('GET / HTTP/1.1\r\n\r\n')] })));
  const udp = link.ethernet(ipv4(A, B, [0, 53, 0, 53, 0, 8, 0, 0], { protocol: 17 }));
  const r = readBgpCapture(pcapFile(1, [{ ts: 1, data: http }, { ts: 2, data: udp }]));
  t.ok(r.ok);
  if (!r.ok) return;
  t.equal(r.value.messages.length, 0);
  t.equal(r.value.stats.skippedFrames, 1, 'the UDP frame');
  t.equal(r.value.stats.tcpSegments, 1);
});

t.test('a message cut short by the end of the capture is returned marked truncated', async (t) => {
  const frame = link.ethernet(ipv4(A, B, tcp({ sport: 179, dport: 4000, seq: 1, flags: ACK, payload: [...ka, ...up.slice(0, 30)] })));
  const r = readBgpCapture(pcapFile(1, [{ ts: 1, data: frame }]));
  t.ok(r.ok);
  if (!r.ok) return;
  t.same(r.value.messages.map((x) => [x.bytes.length, x.truncated ?? false]), [[19, false], [30, true]]);
});

t.test('a broken file is an error value, never a throw', async (t) => {
  const r = readBgpCapture(Uint8Array.from([0xd4, 0xc3, 0xb2, 0xa1, 2, 0]));
  t.notOk(r.ok);
  if (!r.ok) t.match(r.error.message, /pcap file header truncated/);
});
