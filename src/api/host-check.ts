/**
 * The DNS-rebinding guard (issue 15 §1): a request is served only when its Host header names this
 * server — one of its own addresses, `localhost`, or a configured name. A page a browser loaded
 * from some other name that later resolves to this host carries that other name, and is refused.
 */
import { networkInterfaces } from 'node:os';
import ipaddr from 'ipaddr.js';

/** The host part of a Host header (RFC 9110 §7.2: uri-host [":" port]), lower case, without brackets. */
export function hostOf(header: string): string {
  const h = header.trim().toLowerCase();
  if (h.startsWith('[')) return h.slice(1, h.indexOf(']') === -1 ? undefined : h.indexOf(']'));
  const i = h.lastIndexOf(':');
  return (i === -1 || h.indexOf(':') !== i ? h : h.slice(0, i)).replace(/\.$/, '');
}

/** Canonical text of an address, or null when `s` is not one. */
function canonical(s: string): string | null {
  if (!ipaddr.isValid(s)) return null;
  const a = ipaddr.process(s);
  return a.toString();
}

/** The addresses of this host's interfaces (read once per call: they can change at run time). */
export function localAddresses(): Set<string> {
  const out = new Set<string>();
  for (const list of Object.values(networkInterfaces())) for (const i of list ?? []) {
    const c = canonical(i.address.split('%')[0]!);
    if (c) out.add(c);
  }
  return out;
}

/**
 * Whether `header` names this server: an address that is loopback or one of `addresses`,
 * `localhost`, or one of `names` (compared without case).
 */
export function hostAllowed(header: string | undefined, names: ReadonlySet<string>, addresses: () => ReadonlySet<string>): boolean {
  if (header === undefined || header.trim() === '') return false;
  const host = hostOf(header);
  const ip = canonical(host);
  if (ip !== null) {
    // Only strict address literals: ipaddr also accepts forms such as "0x7f.1" that a browser would not send.
    if (!ipaddr.IPv4.isValidFourPartDecimal(host) && !ipaddr.IPv6.isValid(host)) return false;
    const range = ipaddr.process(host).range();
    // 0.0.0.0 and :: reach this host from a browser too ("0.0.0.0 day"): never a name of ours.
    return range !== 'unspecified' && (range === 'loopback' || addresses().has(ip));
  }
  return host === 'localhost' || names.has(host);
}
