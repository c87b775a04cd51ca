import ipaddr from 'ipaddr.js';
import { IPV4, IPV6 } from './layouts.js';
import type { IpPayload } from './link-layer.js';

/** An IP packet's addresses and its upper-layer payload (trimmed to the IP length, so link padding is gone). */
export interface IpPacket { src: string; dst: string; protocol: number; payload: Uint8Array }

const HOP_BY_HOP = 0;
const ROUTING = 43;
const FRAGMENT = 44;
const AH = 51;
const DEST_OPTS = 60;
const MOBILITY = 135;
const EXTENSIONS = new Set([HOP_BY_HOP, ROUTING, DEST_OPTS, MOBILITY, 139, 140]);

export function parseIp(ip: IpPayload): IpPacket | null {
  return ip.version === 4 ? ipv4(ip.bytes) : ipv6(ip.bytes);
}

function ipv4(bytes: Uint8Array): IpPacket | null {
  const h = IPV4.read(bytes, 0);
  if (!h || h.version !== 4 || h.ihl < 5) return null;
  const headerLen = h.ihl * 4; // RFC 791: IHL counts 32-bit words, options included
  // Fragments are not reassembled (BGP over TCP uses path MTU discovery); a first fragment is read as far as it goes.
  if (h.fragOffset !== 0) return null;
  // A TSO capture may record total length 0: then take what was captured.
  const end = h.totalLength === 0 ? bytes.length : Math.min(h.totalLength, bytes.length);
  if (end < headerLen) return null;
  return {
    src: ipaddr.fromByteArray(h.src).toString(),
    dst: ipaddr.fromByteArray(h.dst).toString(),
    protocol: h.protocol,
    payload: bytes.subarray(headerLen, end),
  };
}

function ipv6(bytes: Uint8Array): IpPacket | null {
  const h = IPV6.read(bytes, 0);
  if (!h || h.version !== 6) return null;
  const end = h.payloadLength === 0 ? bytes.length : Math.min(40 + h.payloadLength, bytes.length);
  let next = h.nextHeader;
  let offset = 40;
  // RFC 8200 §4: walk the extension header chain; each step advances, bounded by the packet length.
  while (EXTENSIONS.has(next) || next === AH) {
    const nh = bytes[offset];
    const len = bytes[offset + 1];
    if (nh === undefined || len === undefined) return null;
    offset += next === AH ? (len + 2) * 4 : (len + 1) * 8;
    next = nh;
    if (offset > end) return null;
  }
  if (next === FRAGMENT) return null;
  if (offset > end) return null;
  return {
    src: ipaddr.fromByteArray(h.src).toString(),
    dst: ipaddr.fromByteArray(h.dst).toString(),
    protocol: next,
    payload: bytes.subarray(offset, end),
  };
}
