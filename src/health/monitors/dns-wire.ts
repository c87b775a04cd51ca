/** Pure DNS message handling for DNSQuery: one question out, the header's verdict back. */
import { dnsNameError } from '../catalogue/checks.js';

export const TYPE_A = 1;
export const TYPE_AAAA = 28;

export const RCODE_NAMES: Record<number, string> = {
  0: 'NOERROR', 1: 'FORMERR', 2: 'SERVFAIL', 3: 'NXDOMAIN', 4: 'NOTIMP', 5: 'REFUSED',
};

/** A standard query with RD set (RFC 1035 §4.1.1), class IN. Throws on a bad name. */
export function encodeQuery(id: number, name: string, qtype: number): Buffer {
  const labels = name.replace(/\.$/, '').split('.');
  const parts: Buffer[] = [];
  const header = Buffer.alloc(12);
  header.writeUInt16BE(id & 0xffff, 0);
  header.writeUInt16BE(0x0100, 2); // RD
  header.writeUInt16BE(1, 4); // QDCOUNT
  parts.push(header);
  const bad = dnsNameError(name);
  if (bad !== null) throw new Error(bad);
  for (const l of labels) {
    const b = Buffer.from(l, 'ascii');
    parts.push(Buffer.from([b.length]), b);
  }
  parts.push(Buffer.from([0, qtype >> 8, qtype & 0xff, 0, 1]));
  return Buffer.concat(parts);
}

export interface DnsVerdict {
  id: number;
  rcode: number;
  rcodeName: string;
  answers: number;
  truncated: boolean;
}

/** The response header (RFC 1035 §4.1.1); null when the bytes are not a DNS response. */
export function decodeResponseHeader(buf: Buffer): DnsVerdict | null {
  if (buf.length < 12) return null;
  const flags = buf.readUInt16BE(2);
  if ((flags & 0x8000) === 0) return null; // QR must be set in a response
  const rcode = flags & 0x000f;
  return {
    id: buf.readUInt16BE(0),
    rcode,
    rcodeName: RCODE_NAMES[rcode] ?? `RCODE ${rcode}`,
    answers: buf.readUInt16BE(6),
    truncated: (flags & 0x0200) !== 0,
  };
}
