import { JUNIPER, SLL, SLL2, U16BE, U32BE, U32LE } from './layouts.js';

/** The IP packet inside a link-layer frame, or null when the frame carries something else. */
export interface IpPayload { version: 4 | 6; bytes: Uint8Array }

export const LinkType = {
  NULL: 0, ETHERNET: 1, PPP: 9, RAW_12: 12, RAW_14: 14, PPP_HDLC: 50, RAW: 101, CHDLC: 104,
  LOOP: 108, SLL: 113, JUNIPER_ETHER: 178, IPV4: 228, IPV6: 229, SLL2: 276,
} as const;

const ETH_IPV4 = 0x0800;
const ETH_IPV6 = 0x86dd;
const VLAN_TAGS = new Set([0x8100, 0x88a8, 0x9100, 0x9200]);
const PPP_IPV4 = 0x0021;
const PPP_IPV6 = 0x0057;
// BSD loopback address families: AF_INET is 2 everywhere; AF_INET6 differs per OS (Linux 10, BSDs 24/28/30).
const AF_INET6 = new Set([10, 24, 28, 30]);
const JUNIPER_MAGIC = 0x4d4743; // "MGC"
const JUNIPER_NO_L2 = 0x02;
const JUNIPER_EXT = 0x80;

export function ipPayload(linkType: number, data: Uint8Array): IpPayload | null {
  switch (linkType) {
    case LinkType.ETHERNET: return ethernet(data, 0);
    case LinkType.SLL: return SLL.read(data, 0) ? byEthertype(SLL.read(data, 0)!.protocol, data, 16) : null;
    case LinkType.SLL2: return SLL2.read(data, 0) ? byEthertype(SLL2.read(data, 0)!.protocol, data, 20) : null;
    case LinkType.RAW: case LinkType.RAW_12: case LinkType.RAW_14: return rawIp(data, 0);
    case LinkType.IPV4: return rawIp(data, 0)?.version === 4 ? rawIp(data, 0) : null;
    case LinkType.IPV6: return rawIp(data, 0)?.version === 6 ? rawIp(data, 0) : null;
    case LinkType.NULL: return nullLoopback(data, false);
    case LinkType.LOOP: return nullLoopback(data, true);
    case LinkType.CHDLC: return U16BE.read(data, 2) ? byEthertype(U16BE.read(data, 2)!.v, data, 4) : null;
    case LinkType.PPP: return ppp(data, 0);
    case LinkType.PPP_HDLC: return pppHdlc(data);
    case LinkType.JUNIPER_ETHER: return juniperEthernet(data);
    default: return null;
  }
}

function ethernet(data: Uint8Array, offset: number): IpPayload | null {
  const type = U16BE.read(data, offset + 12);
  return type ? byEthertype(type.v, data, offset + 14) : null;
}

function byEthertype(type: number, data: Uint8Array, offset: number): IpPayload | null {
  // 802.1Q / 802.1ad: each tag is TCI (2) + the inner ethertype (2); bounded by the frame length.
  for (let guard = 0; VLAN_TAGS.has(type) && guard < 8; guard++) {
    const inner = U16BE.read(data, offset + 2);
    if (!inner) return null;
    type = inner.v;
    offset += 4;
  }
  if (type === ETH_IPV4) return ipAt(4, data, offset);
  if (type === ETH_IPV6) return ipAt(6, data, offset);
  return null;
}

function ipAt(version: 4 | 6, data: Uint8Array, offset: number): IpPayload | null {
  return offset < data.length ? { version, bytes: data.subarray(offset) } : null;
}

function rawIp(data: Uint8Array, offset: number): IpPayload | null {
  const v = (data[offset] ?? 0) >> 4;
  return v === 4 || v === 6 ? ipAt(v, data, offset) : null;
}

function nullLoopback(data: Uint8Array, networkOrder: boolean): IpPayload | null {
  const be = U32BE.read(data, 0)?.v;
  const le = U32LE.read(data, 0)?.v;
  if (be === undefined || le === undefined) return null;
  // DLT_NULL is in the capturing host's byte order: whichever reading is small is the right one.
  const family = networkOrder ? be : le <= 0xffff ? le : be;
  if (family === 2) return ipAt(4, data, 4);
  if (AF_INET6.has(family)) return ipAt(6, data, 4);
  return null;
}

function ppp(data: Uint8Array, offset: number): IpPayload | null {
  if (data[offset] === 0xff && data[offset + 1] === 0x03) offset += 2;
  const first = data[offset];
  if (first === undefined) return null;
  // RFC 1661 §6.5: with protocol-field compression a 1-byte protocol is odd.
  const proto = first & 1 ? first : U16BE.read(data, offset)?.v;
  const len = first & 1 ? 1 : 2;
  if (proto === PPP_IPV4) return ipAt(4, data, offset + len);
  if (proto === PPP_IPV6) return ipAt(6, data, offset + len);
  return null;
}

function pppHdlc(data: Uint8Array): IpPayload | null {
  // DLT_PPP_SERIAL also carries Cisco HDLC framing (address 0x0f or 0x8f) on some links.
  if (data[0] === 0x0f || data[0] === 0x8f) return ipPayload(LinkType.CHDLC, data);
  return ppp(data, 0);
}

function juniperEthernet(data: Uint8Array): IpPayload | null {
  const h = JUNIPER.read(data, 0);
  if (!h || h.magic !== JUNIPER_MAGIC) return null;
  let offset = 4;
  if (h.flags & JUNIPER_EXT) {
    const ext = U16BE.read(data, 4);
    if (!ext) return null;
    offset += 2 + ext.v;
  }
  // Without a link-layer header a 4-byte protocol family precedes the IP packet.
  if (h.flags & JUNIPER_NO_L2) return rawIp(data, offset + 4);
  return ethernet(data, offset);
}
