/**
 * The order of a service's realservers in the kernel, for the schedulers whose lookup table is
 * built from it (issue 17 §3: consistent hashing across balancers). Pure.
 *
 * Kernel facts (net/netfilter/ipvs, Linux 6.x):
 * - ip_vs_ctl.c __ip_vs_update_dest: a new (or re-added, from the trash) destination goes to the
 *   HEAD of svc->destinations (list_add_rcu); an edit keeps its place. `ipvsadm -S` sorts its
 *   output by address, `-L` unless given `--nosort` (refused with -S): only `-L --nosort` shows the list's order.
 * - ip_vs_mh.c populate walks that list in order, each destination taking `last_weight / gcd`
 *   turns: the same servers in another order give another lookup table. `last_weight` is the
 *   latest non-zero weight (kept through an edit to 0, reset by an add), so a server drained by
 *   `-e -w 0` keeps its slots while one added at weight 0 has none; a destination without turns is
 *   skipped, so its place does not matter. The hash keys are constants: equal lists, equal tables.
 * - ip_vs_sh.c / ip_vs_dh.c assign their buckets walking the same list (every destination counts).
 *
 * vipd's rule: for these schedulers the list is the canonical order of `compareServers`
 * (address, then port: ipvsadm's own sort, so `ipvsadm -Ln` shows the kernel's order), and an mh
 * server at weight 0 has no slots. Both are a function of the pool alone.
 */
import ipaddr from 'ipaddr.js';
import type { Scheduler, RealServer } from './model.js';

/** Schedulers whose table depends on the destination list's order. */
const ORDERED: ReadonlySet<Scheduler> = new Set<Scheduler>(['mh', 'sh', 'dh']);
export const orderMatters = (s: Scheduler): boolean => ORDERED.has(s);

/** Whether the server's place in the list changes the table: mh skips a server without turns. */
export const placeMatters = (s: Scheduler, r: RealServer): boolean => s !== 'mh' || r.weight > 0;

const keyCache = new Map<string, string>();

/** A sortable text: family, address bytes in hex, port. */
function sortKey(r: RealServer): string {
  let k = keyCache.get(r.address);
  if (k === undefined) {
    const bytes = ipaddr.parse(r.address).toByteArray();
    k = `${bytes.length === 4 ? '4' : '6'}${bytes.map((b) => b.toString(16).padStart(2, '0')).join('')}`;
    if (keyCache.size >= 65_536) keyCache.clear();
    keyCache.set(r.address, k);
  }
  return k + r.port.toString(16).padStart(4, '0');
}

/** The canonical order: IPv4 before IPv6, then by address, then by port. */
export function compareServers(a: RealServer, b: RealServer): number {
  const x = sortKey(a);
  const y = sortKey(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

/** `servers` in the canonical order (the same array when already in it); each key built once. */
export function canonicalOrder(servers: readonly RealServer[]): readonly RealServer[] {
  const keys = servers.map(sortKey);
  for (let i = 1; i < keys.length; i++) {
    if (keys[i - 1]! > keys[i]!) {
      return keys.map((k, j) => ({ k, r: servers[j]! })).sort((a, b) => (a.k < b.k ? -1 : a.k > b.k ? 1 : 0)).map((x) => x.r);
    }
  }
  return servers;
}
