/**
 * Builds synthetic capture files byte by byte (for the pcap reader's unit tests): TCP segments inside IPv4/IPv6,
 * inside every supported link layer, inside pcap (either byte order, µs or ns) or pcapng containers.
 */

export type Bytes = number[];

const u16be = (v: number): Bytes => [v >> 8 & 0xff, v & 0xff];
const u32be = (v: number): Bytes => [v >>> 24 & 0xff, v >>> 16 & 0xff, v >>> 8 & 0xff, v & 0xff];
const u16le = (v: number): Bytes => u16be(v).reverse();
const u32le = (v: number): Bytes => u32be(v).reverse();

export const TCP_FLAGS = { FIN: 0x01, SYN: 0x02, PSH: 0x08, ACK: 0x10 } as const;

export interface Segment { sport: number; dport: number; seq: number; flags?: number; payload?: Bytes; options?: Bytes }

export function tcp(s: Segment): Bytes {
  const options = s.options ?? [];
  const pad = (4 - (options.length % 4)) % 4;
  const words = 5 + (options.length + pad) / 4;
  return [...u16be(s.sport), ...u16be(s.dport), ...u32be(s.seq >>> 0), ...u32be(0), words << 4, s.flags ?? TCP_FLAGS.ACK,
    ...u16be(65535), 0, 0, 0, 0, ...options, ...new Array<number>(pad).fill(1), ...(s.payload ?? [])];
}

export function ipv4(src: string, dst: string, payload: Bytes, opts: { options?: Bytes; protocol?: number; fragOffset?: number } = {}): Bytes {
  const options = opts.options ?? [];
  const ihl = 5 + options.length / 4;
  const total = ihl * 4 + payload.length;
  return [0x40 | ihl, 0, ...u16be(total), 0, 0, ...u16be(opts.fragOffset ?? 0x4000), 64, opts.protocol ?? 6, 0, 0,
    ...src.split('.').map(Number), ...dst.split('.').map(Number), ...options, ...payload];
}

function v6bytes(a: string): Bytes {
  const [head, tail] = a.split('::');
  const h = head ? head.split(':') : [];
  const t = tail !== undefined && tail !== '' ? tail.split(':') : [];
  const groups = [...h, ...new Array<string>(8 - h.length - t.length).fill('0'), ...t];
  return groups.flatMap((g) => u16be(parseInt(g, 16)));
}

/** IPv6 with optional extension headers, each given as [type, bodyBytes] (body padded to 8-octet units). */
export function ipv6(src: string, dst: string, payload: Bytes, ext: [number, Bytes][] = []): Bytes {
  const chain: Bytes = [];
  const types = [...ext.map((e) => e[0]), 6];
  ext.forEach(([, body], i) => {
    const len = Math.ceil((body.length + 2) / 8) * 8;
    const padded = [...body, ...new Array<number>(len - 2 - body.length).fill(0)];
    chain.push(types[i + 1]!, len / 8 - 1, ...padded);
  });
  const plen = chain.length + payload.length;
  return [0x60, 0, 0, 0, ...u16be(plen), types[0]!, 64, ...v6bytes(src), ...v6bytes(dst), ...chain, ...payload];
}

const MAC_A = [2, 0, 0, 0, 0, 1];
const MAC_B = [2, 0, 0, 0, 0, 2];
const ethertypeOf = (ip: Bytes) => (ip[0]! >> 4 === 6 ? 0x86dd : 0x0800);

export const link = {
  ethernet: (ip: Bytes, vlans: number[] = [], padTo = 0): Bytes => {
    const tags = vlans.flatMap((tpid, i) => [...u16be(tpid), ...u16be(100 + i)]);
    const frame = [...MAC_A, ...MAC_B, ...tags, ...u16be(ethertypeOf(ip)), ...ip];
    return frame.length < padTo ? [...frame, ...new Array<number>(padTo - frame.length).fill(0)] : frame;
  },
  sll: (ip: Bytes): Bytes => [0, 0, 0, 1, 0, 6, ...MAC_A, 0, 0, ...u16be(ethertypeOf(ip)), ...ip],
  sll2: (ip: Bytes): Bytes => [...u16be(ethertypeOf(ip)), 0, 0, ...u32be(1), 0, 1, 0, 6, ...MAC_A, 0, 0, ...ip],
  raw: (ip: Bytes): Bytes => ip,
  nullLe: (ip: Bytes): Bytes => [...u32le(ip[0]! >> 4 === 6 ? 30 : 2), ...ip],
  nullBe: (ip: Bytes): Bytes => [...u32be(ip[0]! >> 4 === 6 ? 10 : 2), ...ip],
  loop: (ip: Bytes): Bytes => [...u32be(ip[0]! >> 4 === 6 ? 24 : 2), ...ip],
  chdlc: (ip: Bytes): Bytes => [0x0f, 0x00, ...u16be(ethertypeOf(ip)), ...ip],
  ppp: (ip: Bytes): Bytes => [...u16be(ip[0]! >> 4 === 6 ? 0x0057 : 0x0021), ...ip],
  pppHdlc: (ip: Bytes): Bytes => [0xff, 0x03, ...u16be(ip[0]! >> 4 === 6 ? 0x0057 : 0x0021), ...ip],
  pppCompressed: (ip: Bytes): Bytes => [ip[0]! >> 4 === 6 ? 0x57 : 0x21, ...ip],
  juniperEther: (ip: Bytes, ext: Bytes = []): Bytes =>
    [0x4d, 0x47, 0x43, ext.length ? 0x81 : 0x01, ...(ext.length ? [...u16be(ext.length), ...ext] : []), ...link.ethernet(ip)],
  juniperNoL2: (ip: Bytes): Bytes => [0x4d, 0x47, 0x43, 0x03, ...u32le(2), ...ip],
};

export interface Packet { ts: number; data: Bytes; iface?: number }

/** A classic pcap file: byte order, microsecond or nanosecond magic. */
export function pcapFile(linkType: number, packets: Packet[], o: { be?: boolean; nano?: boolean } = {}): Uint8Array {
  const w32 = o.be ? u32be : u32le;
  const w16 = o.be ? u16be : u16le;
  const per = o.nano ? 1e9 : 1e6;
  const out: Bytes = [...w32(o.nano ? 0xa1b23c4d : 0xa1b2c3d4), ...w16(2), ...w16(4), ...w32(0), ...w32(0), ...w32(65535), ...w32(linkType)];
  for (const p of packets) {
    const sec = Math.floor(p.ts);
    out.push(...w32(sec), ...w32(Math.round((p.ts - sec) * per)), ...w32(p.data.length), ...w32(p.data.length), ...p.data);
  }
  return Uint8Array.from(out);
}

export interface NgInterface { linkType: number; tsresol?: number }

function block(w32: (v: number) => Bytes, type: number, body: Bytes): Bytes {
  const padded = [...body, ...new Array<number>((4 - (body.length % 4)) % 4).fill(0)];
  const len = padded.length + 12;
  return [...w32(type), ...w32(len), ...padded, ...w32(len)];
}

/** A pcapng file: SHB, one IDB per interface (with if_tsresol), then EPBs (or SPBs when `simple`). */
export function pcapngFile(ifaces: NgInterface[], packets: Packet[], o: { be?: boolean; simple?: boolean } = {}): Uint8Array {
  const w32 = o.be ? u32be : u32le;
  const w16 = o.be ? u16be : u16le;
  const out: Bytes = [...block(w32, 0x0a0d0d0a, [...w32(0x1a2b3c4d), ...w16(1), ...w16(0), ...w32(0xffffffff), ...w32(0xffffffff)])];
  for (const i of ifaces) {
    const opts = i.tsresol === undefined ? [] : [...w16(9), ...w16(1), i.tsresol, 0, 0, 0, ...w16(0), ...w16(0)];
    out.push(...block(w32, 1, [...w16(i.linkType), 0, 0, ...w32(0), ...opts]));
  }
  for (const p of packets) {
    if (o.simple) {
      out.push(...block(w32, 3, [...w32(p.data.length), ...p.data]));
      continue;
    }
    const r = ifaces[p.iface ?? 0]!.tsresol ?? 6;
    const per = r & 0x80 ? 2n ** BigInt(r & 0x7f) : 10n ** BigInt(r);
    const units = BigInt(Math.floor(p.ts)) * per + BigInt(Math.round((p.ts - Math.floor(p.ts)) * Number(per)));
    out.push(...block(w32, 6, [...w32(p.iface ?? 0), ...w32(Number(units >> 32n)), ...w32(Number(units & 0xffffffffn)),
      ...w32(p.data.length), ...w32(p.data.length), ...p.data]));
  }
  return Uint8Array.from(out);
}
