import t from 'tap';
import { checksum, ipv4ToInt, readReply, rstPacket, synPacket, TCP_FLAGS, type Flow } from './packet.js';

const flow: Flow = { src: '10.255.0.1', sport: 50000, dst: '10.255.254.7', dport: 80, isn: 0xfffffffe };

/** A reply as the realserver would send it: from dst:dport to src:sport. */
function reply(flags: number, ack: number, f: Flow = flow): Buffer {
  const p = synPacket({ src: f.dst, sport: f.dport, dst: f.src, dport: f.sport, isn: 1234 });
  p[33] = flags;
  p.writeUInt32BE(ack >>> 0, 28);
  return p;
}

t.test('the SYN: IPv4 to the VIP, TCP SYN with our ISN and an MSS, both checksums valid (RFC 1071: sum to zero)', async (t) => {
  const p = synPacket(flow);
  t.equal(p.length, 44);
  t.equal(p[0], 0x45);
  t.equal(p[9], 6);
  t.equal(p.readUInt16BE(2), 44);
  t.equal(p.readUInt32BE(12), ipv4ToInt('10.255.0.1'));
  t.equal(p.readUInt32BE(16), ipv4ToInt('10.255.254.7'));
  t.equal(checksum(p.subarray(0, 20)), 0, 'IP header checksum');
  const pseudo = Buffer.concat([p.subarray(12, 20), Buffer.from([0, 6, 0, 24])]);
  t.equal(checksum(pseudo, p.subarray(20)), 0, 'TCP checksum over the pseudo-header');
  t.equal(p.readUInt16BE(20), 50000);
  t.equal(p.readUInt16BE(22), 80);
  t.equal(p.readUInt32BE(24), 0xfffffffe);
  t.equal(p[33], TCP_FLAGS.SYN);
  t.same([...p.subarray(40)], [2, 4, 0x05, 0xb4]);
});

t.test('the RST: sequence ISN+1 (wrapping), no options, valid checksum', async (t) => {
  const p = rstPacket(flow);
  t.equal(p.length, 40);
  t.equal(p[33], TCP_FLAGS.RST);
  t.equal(p.readUInt32BE(24), 0xffffffff);
  const pseudo = Buffer.concat([p.subarray(12, 20), Buffer.from([0, 6, 0, 20])]);
  t.equal(checksum(pseudo, p.subarray(20)), 0);
});

t.test('replies: SYN-ACK acking our ISN is up, RST(-ACK) is refused, others are not ours', async (t) => {
  const { SYN, ACK, RST } = TCP_FLAGS;
  t.same(readReply(reply(SYN | ACK, flow.isn + 1), flow), { kind: 'syn-ack' });
  t.same(readReply(reply(SYN | ACK, 5), flow), { kind: 'not-ours' }, 'wrong ack: a stale connection');
  t.same(readReply(reply(RST | ACK, flow.isn + 1), flow), { kind: 'rst' });
  t.same(readReply(reply(RST | ACK, 5), flow), { kind: 'not-ours' });
  t.same(readReply(reply(ACK, flow.isn + 1), flow), { kind: 'other', flags: ACK });
  t.same(readReply(reply(SYN | ACK, flow.isn + 1, { ...flow, sport: 1 }), flow), { kind: 'not-ours' }, 'another port');
  t.same(readReply(reply(SYN | ACK, flow.isn + 1, { ...flow, dst: '10.255.254.8' }), flow), { kind: 'not-ours' }, 'not from the VIP');
  t.same(readReply(Buffer.alloc(10), flow), { kind: 'not-ours' }, 'truncated');
  t.same(readReply(synPacket(flow), flow), { kind: 'not-ours' }, 'our own SYN');
});

t.test('ipv4ToInt', async (t) => {
  t.equal(ipv4ToInt('10.255.0.1'), 0x0aff0001);
  t.equal(ipv4ToInt('255.255.255.255'), 0xffffffff);
  t.equal(ipv4ToInt('256.0.0.1'), null);
  t.equal(ipv4ToInt('fd00:255::1'), null);
  t.throws(() => synPacket({ ...flow, dst: 'fd00::1' }), /not an IPv4 address/);
});
