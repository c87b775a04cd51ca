/**
 * A balancer's registration in etcd (issue 17 §2): written by `vipd run` under a lease at
 * P/members/<instance-name>, read by `vipd fleet --etcd`. Pure.
 */

export interface Registration {
  name: string;
  /** The balancer's address (its BGP next hop, else its first instrumentation address). */
  address: string;
  /** Its instrumentation server, `http://HOST:PORT/`. */
  url: string;
  /** VIP prefixes announced to at least one Established peer. */
  vips: string[];
  /** Peers whose session is Established. */
  peers: string[];
  /** RFC 3339: when this content last changed. */
  updated: string;
}

const strings = (v: unknown): v is string[] => Array.isArray(v) && v.every((x) => typeof x === 'string');

/** A stored value, or an error naming the key. */
export function parseRegistration(key: string, value: string): Registration | { error: string } {
  let o: Partial<Record<keyof Registration, unknown>>;
  try { o = JSON.parse(value) as typeof o; } catch { return { error: `etcd key ${key}: value is not JSON` }; }
  if (typeof o !== 'object' || o === null) return { error: `etcd key ${key}: value must be an object` };
  for (const f of ['name', 'address', 'url', 'updated'] as const) {
    if (typeof o[f] !== 'string') return { error: `etcd key ${key}: ${f} must be a string` };
  }
  if (!strings(o.vips) || !strings(o.peers)) return { error: `etcd key ${key}: vips and peers must be lists of strings` };
  if (!/^https?:\/\//.test(o.url as string)) return { error: `etcd key ${key}: url must be http(s)://, got ${JSON.stringify(o.url)}` };
  return o as Registration;
}

/** The content that matters for "changed?" (the time stamp excluded). */
export const registrationContent = (r: Omit<Registration, 'updated'>): string =>
  JSON.stringify([r.name, r.address, r.url, [...r.vips].sort(), [...r.peers].sort()]);
