// DNS: the response header verdict DNSQuery reads (decodeResponseHeader) and the whole-answer
// parser (parseDnsAnswer, src/health/monitors/dns-message.ts).
import { parseDnsAnswer } from '../../../src/health/monitors/dns-message.js';
import { decodeResponseHeader, encodeQuery, TYPE_A, TYPE_AAAA } from '../../../src/health/monitors/dns-wire.js';
import { hexTokens, savedCrashers, type FuzzTarget } from '../target.js';

/** Seed DNS responses: real queries turned into answers (QR set, one A / AAAA record by pointer). */
export function dnsSeeds(): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (const [name, type, rdata] of [['en.wikipedia.org', TYPE_A, '0a020101'], ['upload.wikimedia.org', TYPE_AAAA, '20010db8000000000000000000000001']] as const) {
    const q = Buffer.from(encodeQuery(0x1234, name, type));
    q.writeUInt16BE(0x8180, 2); // QR, RD, RA, NOERROR
    q.writeUInt16BE(1, 6); // ANCOUNT
    const rr = Buffer.from(`c00c${type.toString(16).padStart(4, '0')}00010000012c${(rdata.length / 2).toString(16).padStart(4, '0')}${rdata}`, 'hex');
    out.push(new Uint8Array(Buffer.concat([q, rr])));
  }
  return out;
}

export const DNS_TOKENS = hexTokens(['c00c', 'c000', 'c0ff', 'ffff', '0001', '001c', '0005', '0006', '00', '3f', '40', '8180', '8183']);

export const dnsHeader: FuzzTarget = {
  name: 'dns-header',
  description: 'decodeResponseHeader, the DNSQuery response verdict (src/health/monitors/dns-wire.ts)',
  corpus: () => [...dnsSeeds(), ...savedCrashers('dns-header')],
  dictionary: DNS_TOKENS,
  maxLength: 4096,
  run: (input) => decodeResponseHeader(Buffer.from(input.buffer, input.byteOffset, input.length)),
};

export const dnsAnswer: FuzzTarget = {
  ...dnsHeader,
  name: 'dns-answer',
  description: 'parseDnsAnswer, every section of a DNS answer (src/health/monitors/dns-message.ts)',
  corpus: () => [...dnsSeeds(), ...savedCrashers('dns-answer')],
  run: (input) => parseDnsAnswer(input),
};
