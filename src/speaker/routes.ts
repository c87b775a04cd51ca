import ipaddr from 'ipaddr.js';

/** One VIP as the coordinator declares it. */
export interface Route {
  /** "10.2.1.1/32" or "2001:db8::1/128"; other lengths are allowed (the router filters them). */
  prefix: string;
  /** Defaults to the peer's configured next hop for the family. */
  nextHop?: string;
  med?: number;
  /** Each 32 bits: (asn << 16) | value. */
  communities?: number[];
  largeCommunities?: [number, number, number][];
  /** Extra copies of our AS in AS_PATH. */
  asPathPrepend?: number;
}

export type FamilyName = 'ipv4' | 'ipv6';

export interface CheckedRoute extends Route { family: FamilyName }

/** Canonical text of a prefix, or an error naming what is wrong with it. */
export function canonicalPrefix(text: string): { prefix: string; family: FamilyName } | { error: string } {
  let parsed: [ipaddr.IPv4 | ipaddr.IPv6, number];
  try {
    parsed = ipaddr.parseCIDR(text);
  } catch {
    return { error: `'${text}' is not an IP prefix (want e.g. 10.2.1.1/32 or 2001:db8::1/128)` };
  }
  const [addr, len] = parsed;
  const family: FamilyName = addr.kind() === 'ipv6' ? 'ipv6' : 'ipv4';
  const net = family === 'ipv4'
    ? ipaddr.IPv4.networkAddressFromCIDR(text).toString()
    : ipaddr.IPv6.networkAddressFromCIDR(text).toString();
  return { prefix: `${net}/${len}`, family };
}

const u32 = (n: unknown): boolean => typeof n === 'number' && Number.isInteger(n) && n >= 0 && n <= 0xffffffff;

/** Validates and normalises declared routes; errors name the route by position and prefix. */
export function checkRoutes(routes: readonly Route[]): { routes: CheckedRoute[]; errors: string[] } {
  const errors: string[] = [];
  const out: CheckedRoute[] = [];
  const seen = new Set<string>();
  routes.forEach((r, i) => {
    const where = `route ${i + 1} (${r.prefix})`;
    const p = canonicalPrefix(r.prefix);
    if ('error' in p) { errors.push(`${where}: ${p.error}`); return; }
    if (seen.has(p.prefix)) { errors.push(`${where}: ${p.prefix} declared twice`); return; }
    if (r.nextHop !== undefined) {
      if (!ipaddr.isValid(r.nextHop)) { errors.push(`${where}: next hop '${r.nextHop}' is not an address`); return; }
      const nhKind = ipaddr.parse(r.nextHop).kind();
      if ((nhKind === 'ipv6') !== (p.family === 'ipv6')) { errors.push(`${where}: next hop ${r.nextHop} is not ${p.family}`); return; }
    }
    if (r.med !== undefined && !u32(r.med)) { errors.push(`${where}: MED must be an integer 0..4294967295, got ${r.med}`); return; }
    if (r.communities?.some((c) => !u32(c))) { errors.push(`${where}: a community is not a 32-bit value`); return; }
    if (r.largeCommunities?.some((l) => l.length !== 3 || !l.every(u32))) { errors.push(`${where}: a large community is not three 32-bit values`); return; }
    if (r.asPathPrepend !== undefined && !(Number.isInteger(r.asPathPrepend) && r.asPathPrepend >= 0 && r.asPathPrepend <= 16)) {
      errors.push(`${where}: asPathPrepend must be an integer 0..16, got ${r.asPathPrepend}`); return;
    }
    seen.add(p.prefix);
    out.push({ ...r, prefix: p.prefix, family: p.family });
  });
  return { routes: out, errors };
}

/** The routes with `extra` communities appended to each (no duplicates); the same array when there are none. */
export function withCommunities<R extends Route>(routes: readonly R[], extra: readonly number[] | undefined): readonly R[] {
  if (!extra?.length) return routes;
  return routes.map((r) => {
    const own = r.communities ?? [];
    return { ...r, communities: [...own, ...extra.filter((c) => !own.includes(c))] };
  });
}
