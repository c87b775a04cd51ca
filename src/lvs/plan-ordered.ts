/**
 * Realserver commands for a service whose scheduler builds its table from the kernel's list order
 * (mh, sh, dh; see dest-order.ts). The kernel puts every add at the head of the list, so the
 * list ends in canonical order only if the servers are added last-to-first, and a server re-added
 * after a depool lands at the head, out of place. Least disruption: keep the longest tail of the
 * wanted list that the current list holds in the same relative order, and delete + re-add only
 * the other servers, last first, one at a time, each re-added right after its delete (within one `ipvsadm -R`
 * batch the destination comes back from the kernel's trash with its connections, and the
 * service never loses more than that one server at a time). Pure.
 */
import type { Command } from './commands.js';
import { placeMatters } from './dest-order.js';
import { sameExtra, sameServer, serverId, type RealServer, type VirtualService } from './model.js';

/**
 * Appends to `out` the commands that make `a`'s realservers equal `d`'s (`d` normalized and in
 * canonical order; `a` in the kernel's list order) with the list in `d`'s order where it matters.
 */
export function planOrderedServers(d: VirtualService, a: VirtualService, out: Command[]): void {
  const key = d.key;
  const sched = d.scheduler;
  const cur = new Map<string, RealServer>();
  for (const c of a.realServers) cur.set(serverId(c), c);
  const want = new Map<string, RealServer>();
  for (const r of d.realServers) want.set(serverId(r), r);
  /**
   * Replaced whatever its place: options -e cannot remove (extra), or an mh server going to
   * weight 0 (`-e -w 0` would keep its last_weight, so its slots: ip_vs_ctl.c; add resets it).
   */
  const replace = (r: RealServer, c: RealServer): boolean =>
    !sameExtra(c.extra, r.extra) || (sched === 'mh' && r.weight === 0 && c.weight > 0);

  const wanted = d.realServers.filter((r) => placeMatters(sched, r));
  const current = a.realServers.filter((c) => {
    const r = want.get(serverId(c));
    return r !== undefined && placeMatters(sched, r) && !replace(r, c);
  });
  // The longest tail of `wanted` found in `current` in the same relative order: those stay; every
  // other current one is deleted and re-added in front of them (greedy from the end is optimal).
  let j = wanted.length - 1;
  for (let i = current.length - 1; i >= 0 && j >= 0; i--) if (serverId(current[i]!) === serverId(wanted[j]!)) j--;
  const kept = new Set(wanted.slice(j + 1).map(serverId));

  // Placed servers not in the kept tail, last first: each lands at the head in turn.
  for (let k = j; k >= 0; k--) {
    const r = wanted[k]!;
    const c = cur.get(serverId(r));
    if (c) out.push({ op: 'delete-server', key, server: c });
    out.push({ op: 'add-server', key, server: r });
  }
  // Servers whose place does not matter (mh at weight 0): added, replaced or edited where they are.
  for (const r of d.realServers) {
    if (placeMatters(sched, r)) continue;
    const c = cur.get(serverId(r));
    if (!c) out.push({ op: 'add-server', key, server: r });
    else if (replace(r, c)) out.push({ op: 'delete-server', key, server: c }, { op: 'add-server', key, server: r });
    else if (!sameServer(r, c)) out.push({ op: 'edit-server', key, server: r });
  }
  for (const id of kept) {
    const r = want.get(id)!;
    if (!sameServer(r, cur.get(id)!)) out.push({ op: 'edit-server', key, server: r });
  }
  for (const c of a.realServers) if (!want.has(serverId(c))) out.push({ op: 'delete-server', key, server: c });
}
