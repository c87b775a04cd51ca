/**
 * The packets of a check through the data path: an IPv4 TCP SYN from the director to VIP:port
 * (what a client's first packet looks like once IPVS has chosen the realserver), the RST that
 * ends it, and the reading of the realserver's reply. Pure: bytes in, bytes out.
 */

export interface Flow {
  /** The director's own address (the reply comes back to it). */
  src: string;
  sport: number;
  /** The VIP. */
  dst: string;
  dport: number;
  /** Our initial sequence number. */
  isn: number;
}

export type Reply =
  | { kind: 'syn-ack' }
  | { kind: 'rst' }
  | { kind: 'other'; flags: number }
  | { kind: 'not-ours' };

const FIN = 0x01, SYN = 0x02, RST = 0x04, ACK = 0x10;
export const TCP_FLAGS = { FIN, SYN, RST, ACK } as const;

/** Dotted IPv4 text to its 32-bit value, or null. */
export function ipv4ToInt(ip: string): number | null {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(ip);
  if (!m) return null;
  const parts = m.slice(1).map(Number);
  if (parts.some((p) => p > 255)) return null;
  return ((parts[0]! << 24) | (parts[1]! << 16) | (parts[2]! << 8) | parts[3]!) >>> 0;
}

function ipv4(ip: string): number {
  const n = ipv4ToInt(ip);
  if (n === null) throw new Error(`not an IPv4 address: '${ip}'`);
  return n;
}

/** RFC 1071: the ones'-complement sum of 16-bit words, complemented. */
export function checksum(...parts: Uint8Array[]): number {
  let sum = 0;
  for (const b of parts) {
    for (let i = 0; i < b.length; i += 2) sum += (b[i]! << 8) | (i + 1 < b.length ? b[i + 1]! : 0);
  }
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

/** An IPv4 header (RFC 791 §3.1, no options, DF set) around a TCP segment (RFC 9293 §3.1). */
function segment(f: Flow, flags: number, seq: number, options: Uint8Array): Buffer {
  const tcpLen = 20 + options.length;
  const pkt = Buffer.alloc(20 + tcpLen);
  pkt[0] = 0x45;
  pkt.writeUInt16BE(pkt.length, 2);
  pkt.writeUInt16BE(0x4000, 6);
  pkt[8] = 64;
  pkt[9] = 6;
  pkt.writeUInt32BE(ipv4(f.src), 12);
  pkt.writeUInt32BE(ipv4(f.dst), 16);
  pkt.writeUInt16BE(checksum(pkt.subarray(0, 20)), 10);
  const tcp = pkt.subarray(20);
  tcp.writeUInt16BE(f.sport, 0);
  tcp.writeUInt16BE(f.dport, 2);
  tcp.writeUInt32BE(seq >>> 0, 4);
  tcp[12] = (tcpLen / 4) << 4;
  tcp[13] = flags;
  tcp.writeUInt16BE(flags & RST ? 0 : 64240, 14);
  tcp.set(options, 20);
  // RFC 9293 §3.1: the checksum covers a pseudo-header of addresses, protocol and length.
  const pseudo = Buffer.alloc(12);
  pkt.copy(pseudo, 0, 12, 20);
  pseudo[9] = 6;
  pseudo.writeUInt16BE(tcpLen, 10);
  tcp.writeUInt16BE(checksum(pseudo, tcp), 16);
  return pkt;
}

/** The SYN, with an MSS option (RFC 9293 §3.7.1) as any client sends. */
export const synPacket = (f: Flow): Buffer => segment(f, SYN, f.isn, Uint8Array.of(2, 4, 0x05, 0xb4));

/** The RST after the reply, so the realserver drops its half-open connection at once. */
export const rstPacket = (f: Flow): Buffer => segment(f, RST, f.isn + 1, new Uint8Array(0));

/**
 * What a captured IPv4 packet says about the flow: the SYN-ACK acknowledging our SYN (the server
 * accepts on VIP:port), a RST (nothing listens there), or something else.
 */
export function readReply(pkt: Uint8Array, f: Flow): Reply {
  const b = Buffer.from(pkt.buffer, pkt.byteOffset, pkt.byteLength);
  if (b.length < 20 || b[0]! >> 4 !== 4 || b[9] !== 6) return { kind: 'not-ours' };
  const ihl = (b[0]! & 0x0f) * 4;
  if (b.length < ihl + 14) return { kind: 'not-ours' };
  if (b.readUInt32BE(12) !== ipv4(f.dst) || b.readUInt32BE(16) !== ipv4(f.src)) return { kind: 'not-ours' };
  const tcp = b.subarray(ihl);
  if (tcp.readUInt16BE(0) !== f.dport || tcp.readUInt16BE(2) !== f.sport) return { kind: 'not-ours' };
  const flags = tcp[13]!;
  const acksOurs = (flags & ACK) !== 0 && tcp.readUInt32BE(8) === ((f.isn + 1) >>> 0);
  if (flags & RST) return acksOurs || (flags & ACK) === 0 ? { kind: 'rst' } : { kind: 'not-ours' };
  if ((flags & (SYN | ACK)) === (SYN | ACK)) return acksOurs ? { kind: 'syn-ack' } : { kind: 'not-ours' };
  return { kind: 'other', flags };
}
