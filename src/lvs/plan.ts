import type { Command } from './commands.js';
import {
  normalizeService, sameExtra, sameServer, sameServiceAttributes, serverId, serviceId,
  type IpvsTable, type ServiceKey, type VirtualService,
} from './model.js';

/**
 * The minimal ordered commands that make the owned part of `actual` equal to `desired`.
 * A service of `actual` absent from `desired` is deleted only when its id is in `owned`
 * (services in `desired` are always owned); nothing else of the table is ever touched.
 * Order: deletions of owned services first, then per desired service (in desired order)
 * add/edit the service, add new servers, edit changed ones, delete removed ones last, so a
 * service being refilled never passes through an empty state.
 */
export function plan(desired: IpvsTable, actual: IpvsTable, owned: ReadonlySet<string> = new Set()): Command[] {
  const out: Command[] = [];
  const have = new Map(actual.map((s) => [serviceId(s.key), s]));
  const want = new Set(desired.map((s) => serviceId(s.key)));
  for (const s of actual) {
    const id = serviceId(s.key);
    if (!want.has(id) && owned.has(id)) out.push({ op: 'delete-service', key: s.key });
  }
  for (const raw of desired) {
    const d = normalizeService(raw);
    const a = have.get(serviceId(d.key));
    if (!a) {
      out.push({ op: 'add-service', service: d });
      for (const r of d.realServers) out.push({ op: 'add-server', key: d.key, server: r });
      continue;
    }
    if (!sameServiceAttributes(d, a)) out.push({ op: 'edit-service', service: d });
    out.push(...planServers(d, a));
  }
  return out;
}

function planServers(d: VirtualService, a: VirtualService): Command[] {
  const key: ServiceKey = d.key;
  const have = new Map(a.realServers.map((r) => [serverId(r), r]));
  const want = new Set(d.realServers.map(serverId));
  const adds: Command[] = [];
  const edits: Command[] = [];
  for (const r of d.realServers) {
    const cur = have.get(serverId(r));
    if (!cur) adds.push({ op: 'add-server', key, server: r });
    else if (!sameExtra(cur.extra, r.extra)) {
      // options -e cannot remove (e.g. a tunnel type set by hand): replace the server
      adds.push({ op: 'delete-server', key, server: cur }, { op: 'add-server', key, server: r });
    } else if (!sameServer(r, cur)) edits.push({ op: 'edit-server', key, server: r });
  }
  const deletes: Command[] = a.realServers
    .filter((r) => !want.has(serverId(r)))
    .map((r) => ({ op: 'delete-server', key, server: r }));
  return [...adds, ...edits, ...deletes];
}

/** The ids of a table's services, e.g. to build the `owned` set from the configuration. */
export const ownedIds = (services: readonly { key: ServiceKey }[]): Set<string> =>
  new Set(services.map((s) => serviceId(s.key)));
