/**
 * Hand-built BGP messages for the lab's raw sender, written byte by byte from RFC 4271 so that the captures
 * do not depend on the codec they are used to test. Malformed variants are built on purpose.
 */

const MARKER = new Array<number>(16).fill(0xff);

export function message(type: number, body: number[], opts: { length?: number; marker?: number[] } = {}): Buffer {
  const length = opts.length ?? 19 + body.length;
  return Buffer.from([...(opts.marker ?? MARKER), length >> 8, length & 0xff, type, ...body]);
}

const u16 = (v: number) => [v >> 8 & 0xff, v & 0xff];
const u32 = (v: number) => [v >>> 24 & 0xff, v >>> 16 & 0xff, v >>> 8 & 0xff, v & 0xff];
const ip4 = (s: string) => s.split('.').map(Number);

export interface OpenSpec { asn: number; holdTime: number; bgpId: string; routeRefresh?: boolean; v6?: boolean; extraCaps?: number[][] }

/** OPEN (RFC 4271 §4.2) with MP IPv4 (and IPv6) unicast, route refresh, enhanced RR, 4-octet AS. */
export function open(o: OpenSpec): Buffer {
  const caps: number[][] = [[1, 4, 0, 1, 0, 1]];
  if (o.v6) caps.push([1, 4, 0, 2, 0, 1]);
  if (o.routeRefresh) caps.push([2, 0], [70, 0]);
  caps.push([65, 4, ...u32(o.asn)], ...(o.extraCaps ?? []));
  const params = caps.flatMap((c) => [2, c.length, ...c]);
  const myAs = o.asn > 0xffff ? 23456 : o.asn;
  return message(1, [4, ...u16(myAs), ...u16(o.holdTime), ...ip4(o.bgpId), params.length, ...params]);
}

export const keepalive = (): Buffer => message(4, []);

/** ROUTE-REFRESH (RFC 2918 §3, RFC 7313 §3). */
export const routeRefresh = (afi = 1, safi = 1, subtype = 0): Buffer => message(5, [...u16(afi), subtype, safi]);

export interface Attr { flags: number; type: number; value: number[] }
export const origin = (v = 0): Attr => ({ flags: 0x40, type: 1, value: [v] });
export const asPath = (asns: number[]): Attr => ({ flags: 0x40, type: 2, value: asns.length ? [2, asns.length, ...asns.flatMap(u32)] : [] });
export const nextHop = (a: string): Attr => ({ flags: 0x40, type: 3, value: ip4(a) });
export const med = (v: number): Attr => ({ flags: 0x80, type: 4, value: u32(v) });

export function attrBytes(attrs: Attr[]): number[] {
  return attrs.flatMap((a) => a.value.length > 255
    ? [a.flags | 0x10, a.type, ...u16(a.value.length), ...a.value]
    : [a.flags, a.type, a.value.length, ...a.value]);
}

export function prefix(p: string): number[] {
  const [addr, len] = p.split('/');
  const bits = Number(len);
  return [bits, ...ip4(addr!).slice(0, Math.ceil(Math.min(bits, 32) / 8))];
}

/** UPDATE (RFC 4271 §4.3); `attrLength` overrides the Total Path Attribute Length field. */
export function update(o: { withdrawn?: string[]; attrs?: Attr[]; nlri?: number[][]; attrLength?: number }): Buffer {
  const withdrawn = (o.withdrawn ?? []).flatMap(prefix);
  const attrs = attrBytes(o.attrs ?? []);
  const nlri = (o.nlri ?? []).flat();
  return message(2, [...u16(withdrawn.length), ...withdrawn, ...u16(o.attrLength ?? attrs.length), ...attrs, ...nlri]);
}

/** The standard attributes of a VIP announcement from AS `asn`. */
export const vipAttrs = (asn: number, nh: string, m = 100): Attr[] => [origin(0), asPath([asn]), nextHop(nh), med(m)];
