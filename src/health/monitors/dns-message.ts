/**
 * Pure DNS response parser for DNSQuery (RFC 1035 §4.1): header, question, answer, authority and
 * additional sections, every read bounds-checked. Never throws: a malformed message is a result
 * with the reason, so a fuzz harness can call it on any bytes.
 */

import { RCODE_NAMES } from './dns-wire.js';

export interface DnsQuestion { name: string; type: number; class: number }

export interface DnsRecord {
  name: string;
  type: number;
  class: number;
  ttl: number;
  /** The record data as sent (a view into the message). */
  rdata: Uint8Array;
  /** A, AAAA: the address; CNAME, NS, PTR, DNAME: the target name; otherwise absent. */
  value?: string;
}

export interface DnsAnswer {
  id: number;
  rcode: number;
  rcodeName: string;
  truncated: boolean;
  questions: DnsQuestion[];
  answers: DnsRecord[];
  authority: DnsRecord[];
  additional: DnsRecord[];
}

export type DnsParse = { ok: true; value: DnsAnswer } | { ok: false; error: string };

const HEADER = 12;
const MAX_NAME = 255; // RFC 1035 §2.3.4: names are at most 255 octets (wire form)
const MAX_JUMPS = 127; // each jump goes strictly backwards, so this is only a second bound
const NAME_TYPES = new Set([2, 5, 12, 39]); // NS, CNAME, PTR, DNAME: rdata is one name

class Malformed { constructor(readonly reason: string) {} }

class Reader {
  pos = HEADER;
  constructor(readonly b: Uint8Array) {}
  need(n: number, what: string): void {
    if (this.pos + n > this.b.length) throw new Malformed(`${what} at byte ${this.pos} runs past the end (${this.b.length} bytes)`);
  }
  u16(what: string): number {
    this.need(2, what);
    const v = (this.b[this.pos]! << 8) | this.b[this.pos + 1]!;
    this.pos += 2;
    return v;
  }
  u32(what: string): number {
    const hi = this.u16(what);
    return hi * 0x10000 + this.u16(what);
  }
}

/** A (possibly compressed) name starting at `start`; returns the text and the offset after it. */
function readName(b: Uint8Array, start: number): { name: string; end: number } {
  const labels: string[] = [];
  let pos = start;
  let end = -1; // where the name ends in the stream: after the first pointer, or after the root label
  let floor = start; // RFC 1035 §4.1.4: a pointer refers to a prior occurrence; each must go before the last target
  let wire = 1; // the root label
  for (let jumps = 0; ;) {
    if (pos >= b.length) throw new Malformed(`name at byte ${start} runs past the end`);
    const len = b[pos]!;
    const kind = len & 0xc0;
    if (kind === 0xc0) {
      if (pos + 1 >= b.length) throw new Malformed(`name at byte ${start}: compression pointer cut short`);
      const target = ((len & 0x3f) << 8) | b[pos + 1]!;
      if (end < 0) end = pos + 2;
      if (target < HEADER) throw new Malformed(`name at byte ${start}: compression pointer into the header (${target})`);
      if (target >= floor) throw new Malformed(`name at byte ${start}: compression pointer to ${target} does not point backwards (loop)`);
      if (++jumps > MAX_JUMPS) throw new Malformed(`name at byte ${start}: more than ${MAX_JUMPS} compression pointers`);
      floor = target;
      pos = target;
      continue;
    }
    // RFC 6891 §5: label types 01 and 10 are not in use
    if (kind !== 0) throw new Malformed(`name at byte ${start}: unknown label type 0x${kind.toString(16)}`);
    if (len === 0) {
      if (end < 0) end = pos + 1;
      return { name: labels.length === 0 ? '.' : labels.join('.') + '.', end };
    }
    wire += len + 1;
    if (wire > MAX_NAME) throw new Malformed(`name at byte ${start} is longer than ${MAX_NAME} octets`);
    if (pos + 1 + len > b.length) throw new Malformed(`name at byte ${start}: label runs past the end`);
    labels.push(labelText(b.subarray(pos + 1, pos + 1 + len)));
    pos += 1 + len;
  }
}

/** Printable ASCII as is (dots and backslashes escaped), anything else as \DDD (RFC 1035 §5.1). */
function labelText(l: Uint8Array): string {
  let s = '';
  for (const c of l) {
    if (c === 0x2e || c === 0x5c) s += '\\' + String.fromCharCode(c);
    else if (c > 0x20 && c < 0x7f) s += String.fromCharCode(c);
    else s += '\\' + String(c).padStart(3, '0');
  }
  return s;
}

/** RFC 5952 text: lowercase, the longest run of two or more zero groups as `::`. */
function ipv6Text(d: Uint8Array): string {
  const g: number[] = [];
  for (let i = 0; i < 16; i += 2) g.push((d[i]! << 8) | d[i + 1]!);
  let best = -1, bestLen = 1;
  for (let i = 0; i < 8;) {
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen) { best = i; bestLen = j - i; }
    i = j === i ? i + 1 : j;
  }
  const hex = (xs: number[]): string => xs.map((x) => x.toString(16)).join(':');
  return best < 0 ? hex(g) : `${hex(g.slice(0, best))}::${hex(g.slice(best + bestLen))}`;
}

const TYPE_NAMES: Record<number, string> = { 1: 'A', 28: 'AAAA', 5: 'CNAME', 2: 'NS', 12: 'PTR', 39: 'DNAME' };
const typeName = (t: number): string => TYPE_NAMES[t] ?? `TYPE${t}`;

function readRecord(r: Reader, section: string, i: number): DnsRecord {
  const where = `${section} record ${i + 1}`;
  const { name, end } = wrap(where, () => readName(r.b, r.pos));
  r.pos = end;
  const type = r.u16(`${where} type`);
  const klass = r.u16(`${where} class`);
  const ttl = r.u32(`${where} TTL`);
  const rdlength = r.u16(`${where} RDLENGTH`);
  // RFC 1035 §4.1.3: RDATA is exactly RDLENGTH octets
  if (r.pos + rdlength > r.b.length) {
    throw new Malformed(`${where} (${name} ${typeName(type)}): RDLENGTH ${rdlength} runs past the end (${r.b.length - r.pos} bytes left)`);
  }
  const rdStart = r.pos;
  const rdata = r.b.subarray(rdStart, rdStart + rdlength);
  r.pos += rdlength;
  const rec: DnsRecord = { name, type, class: klass, ttl, rdata };
  if (klass === 1 && (type === 1 || type === 28)) {
    const want = type === 1 ? 4 : 16; // RFC 1035 §3.4.1, RFC 3596 §2.2
    if (rdlength !== want) throw new Malformed(`${where} (${name} ${typeName(type)}): RDLENGTH ${rdlength}, expected ${want}`);
    rec.value = type === 1 ? Array.from(rdata).join('.') : ipv6Text(rdata);
  } else if (NAME_TYPES.has(type)) {
    const target = wrap(`${where} (${name} ${typeName(type)}) data`, () => readName(r.b, rdStart));
    if (target.end !== rdStart + rdlength) {
      throw new Malformed(`${where} (${name} ${typeName(type)}): the name in the data does not fill RDLENGTH ${rdlength}`);
    }
    rec.value = target.name;
  }
  return rec;
}

function wrap<T>(where: string, f: () => T): T {
  try { return f(); } catch (e) {
    if (e instanceof Malformed) throw new Malformed(`${where}: ${e.reason}`);
    throw e;
  }
}

/**
 * Parses a whole response. The counts in the header must match what is present (RFC 1035 §4.1.1),
 * except that a truncated (TC) message may stop early at a record boundary; nothing may follow
 * the last record. Returns an error for anything that is not a DNS response.
 */
export function parseDnsAnswer(bytes: Uint8Array): DnsParse {
  if (bytes.length < HEADER) return { ok: false, error: `${bytes.length} bytes, shorter than the 12-byte header` };
  const u16 = (o: number): number => (bytes[o]! << 8) | bytes[o + 1]!;
  const flags = u16(2);
  if ((flags & 0x8000) === 0) return { ok: false, error: 'QR bit not set: a query, not a response' };
  const rcode = flags & 0x000f;
  const truncated = (flags & 0x0200) !== 0;
  const counts = [u16(4), u16(6), u16(8), u16(10)] as const;
  const value: DnsAnswer = {
    id: u16(0), rcode, rcodeName: RCODE_NAMES[rcode] ?? `RCODE ${rcode}`, truncated,
    questions: [], answers: [], authority: [], additional: [],
  };
  const r = new Reader(bytes);
  const sections = [['answer', value.answers], ['authority', value.authority], ['additional', value.additional]] as const;
  try {
    for (let i = 0; i < counts[0]; i++) {
      if (truncated && r.pos === bytes.length) return { ok: true, value };
      const where = `question ${i + 1}`;
      const { name, end } = wrap(where, () => readName(bytes, r.pos));
      r.pos = end;
      value.questions.push({ name, type: r.u16(`${where} type`), class: r.u16(`${where} class`) });
    }
    for (let s = 0; s < 3; s++) {
      const [label, list] = sections[s]!;
      for (let i = 0; i < counts[s + 1]!; i++) {
        if (r.pos === bytes.length) {
          if (truncated) return { ok: true, value };
          throw new Malformed(`header says ${counts[s + 1]} ${label} record(s), the message ends after ${i}`);
        }
        list.push(readRecord(r, label, i));
      }
    }
  } catch (e) {
    if (e instanceof Malformed) return { ok: false, error: e.reason };
    return { ok: false, error: `parser error: ${String(e)}` };
  }
  if (r.pos !== bytes.length) return { ok: false, error: `${bytes.length - r.pos} byte(s) after the last record` };
  return { ok: true, value };
}
