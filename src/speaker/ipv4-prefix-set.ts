/**
 * A set of IPv4 prefixes kept in typed arrays (open addressing, linear probing, tombstones): a
 * million received prefixes cost ~10 MB and no objects for the garbage collector to trace, so a
 * flooding peer does not cause collector pauses that would delay keepalives on other sessions.
 */
const EMPTY = 0;
const TOMBSTONE = 255;

export class Ipv4PrefixSet {
  private addrs: Uint32Array;
  /** Prefix length + 1; EMPTY or TOMBSTONE otherwise. */
  private lens: Uint8Array;
  private used = 0; // live + tombstones
  private live = 0;

  constructor(capacity = 1024) {
    this.addrs = new Uint32Array(capacity);
    this.lens = new Uint8Array(capacity);
  }

  get size(): number { return this.live; }

  /** True when added (it was not there). Text that is not "a.b.c.d/len" is ignored. */
  add(prefix: string): boolean {
    const k = parse(prefix);
    if (k < 0) return false;
    if ((this.used + 1) * 2 > this.addrs.length) this.grow();
    const addr = Math.floor(k / 64) >>> 0;
    const len = (k % 64) + 1;
    let slot = -1;
    for (let i = hash(addr, len) & (this.addrs.length - 1), n = 0; n < this.addrs.length; i = (i + 1) & (this.addrs.length - 1), n++) {
      const l = this.lens[i] as number;
      if (l === EMPTY) { if (slot < 0) slot = i; break; }
      if (l === TOMBSTONE) { if (slot < 0) slot = i; continue; }
      if (l === len && this.addrs[i] === addr) return false;
    }
    if (slot < 0) return false;
    if (this.lens[slot] === EMPTY) this.used++;
    this.addrs[slot] = addr;
    this.lens[slot] = len;
    this.live++;
    return true;
  }

  has(prefix: string): boolean {
    return this.slotOf(prefix) >= 0;
  }

  /** True when it was there. */
  delete(prefix: string): boolean {
    const i = this.slotOf(prefix);
    if (i < 0) return false;
    this.lens[i] = TOMBSTONE;
    this.live--;
    return true;
  }

  /** The slot holding `prefix`, or -1. */
  private slotOf(prefix: string): number {
    const k = parse(prefix);
    if (k < 0) return -1;
    const addr = Math.floor(k / 64) >>> 0;
    const len = (k % 64) + 1;
    for (let i = hash(addr, len) & (this.addrs.length - 1), n = 0; n < this.addrs.length; i = (i + 1) & (this.addrs.length - 1), n++) {
      const l = this.lens[i] as number;
      if (l === EMPTY) return -1;
      if (l === len && this.addrs[i] === addr) return i;
    }
    return -1;
  }

  clear(): void {
    this.addrs = new Uint32Array(1024);
    this.lens = new Uint8Array(1024);
    this.used = 0;
    this.live = 0;
  }

  private grow(): void {
    const { addrs, lens } = this;
    const size = this.live * 4 > addrs.length ? addrs.length * 2 : addrs.length;
    this.addrs = new Uint32Array(size);
    this.lens = new Uint8Array(size);
    this.used = 0;
    this.live = 0;
    for (let i = 0; i < addrs.length; i++) {
      const l = lens[i] as number;
      if (l !== EMPTY && l !== TOMBSTONE) this.insertRaw(addrs[i] as number, l);
    }
  }

  private insertRaw(addr: number, len: number): void {
    let i = hash(addr, len) & (this.addrs.length - 1);
    while (this.lens[i] !== EMPTY) i = (i + 1) & (this.addrs.length - 1);
    this.addrs[i] = addr;
    this.lens[i] = len;
    this.used++;
    this.live++;
  }
}

function hash(addr: number, len: number): number {
  let h = Math.imul(addr ^ Math.imul(len, 0x9e3779b1), 0x85ebca6b);
  h ^= h >>> 13;
  return Math.imul(h, 0xc2b2ae35) >>> 0;
}

/** "a.b.c.d/len" → addr * 64 + len, or -1. */
function parse(p: string): number {
  let addr = 0;
  let octet = 0;
  let digits = 0;
  let dots = 0;
  let i = 0;
  for (; i < p.length; i++) {
    const c = p.charCodeAt(i);
    if (c >= 48 && c <= 57) { octet = octet * 10 + c - 48; digits++; if (octet > 255 || digits > 3) return -1; continue; }
    if (c === 46 && digits && dots < 3) { addr = addr * 256 + octet; octet = 0; digits = 0; dots++; continue; }
    if (c === 47 && digits && dots === 3) break;
    return -1;
  }
  if (i >= p.length) return -1;
  addr = addr * 256 + octet;
  const lenText = p.slice(i + 1);
  const len = Number(lenText);
  if (!/^\d{1,2}$/.test(lenText) || len > 32) return -1;
  return addr * 64 + len;
}
