import type { Command } from './commands.js';
import {
  normalizeService, sameExtra, sameServer, sameServiceAttributes, serverId, serviceId,
  type IpvsTable, type RealServer, type ServiceKey, type VirtualService,
} from './model.js';
import { Slicer } from '../time/slices.js';
import { canonicalOrder, orderMatters } from './dest-order.js';
import { planOrderedServers } from './plan-ordered.js';

/**
 * The minimal ordered commands that make the owned part of `actual` equal to `desired`.
 * A service of `actual` absent from `desired` is deleted only when its id is in `owned`
 * (services in `desired` are always owned); nothing else of the table is ever touched.
 * Order: deletions of owned services first, then per desired service (in desired order)
 * add/edit the service, add new servers, edit changed ones, delete removed ones last, so a
 * service being refilled never passes through an empty state. For mh, sh and dh the kernel's
 * list order shapes the lookup table: their realservers are put in canonical order, whatever the
 * order of `desired`, and kept in it (dest-order.ts, plan-ordered.ts; issue 17 §3).
 */
export function plan(desired: IpvsTable, actual: IpvsTable, owned: ReadonlySet<string> = new Set()): Command[] {
  const out: Command[] = [];
  for (const _ of planSteps(desired, actual, owned, out));
  return out;
}

/** `plan`, giving the event loop back every few milliseconds (10,000 realservers, issue 13 §5). */
export async function planSliced(desired: IpvsTable, actual: IpvsTable, owned: ReadonlySet<string> = new Set()): Promise<Command[]> {
  const out: Command[] = [];
  const slicer = new Slicer();
  for (const _ of planSteps(desired, actual, owned, out)) if (slicer.dueNow()) await slicer.pause();
  return out;
}

/** Plans into `out`, pausing (a bare `yield`) every STEP servers so a caller may slice the work. */
function* planSteps(desired: IpvsTable, actual: IpvsTable, owned: ReadonlySet<string>, out: Command[]): Generator<void> {
  const have = new Map(actual.map((s) => [serviceId(s.key), s]));
  const want = new Set(desired.map((s) => serviceId(s.key)));
  for (const s of actual) {
    const id = serviceId(s.key);
    if (!want.has(id) && owned.has(id)) out.push({ op: 'delete-service', key: s.key });
  }
  for (const raw of desired) {
    const d = inOrder(normalizeService(raw));
    const ordered = orderMatters(d.scheduler);
    const a = have.get(serviceId(d.key));
    if (!a) {
      out.push({ op: 'add-service', service: d });
      const n = d.realServers.length;
      // each add goes to the head of the kernel's list: last first, for the list to be in order
      for (let i = 0; i < n; i++) {
        out.push({ op: 'add-server', key: d.key, server: d.realServers[ordered ? n - 1 - i : i]! });
        if (i % STEP === STEP - 1) yield;
      }
      continue;
    }
    if (!sameServiceAttributes(d, a)) out.push({ op: 'edit-service', service: d });
    if (ordered) planOrderedServers(d, a, out);
    else yield* planServers(d, a, out);
  }
}

const STEP = 512;

/** mh, sh and dh: the realservers in canonical order (dest-order.ts); other services as given. */
function inOrder(s: VirtualService): VirtualService {
  if (!orderMatters(s.scheduler)) return s;
  const rs = canonicalOrder(s.realServers);
  return rs === s.realServers ? s : { ...s, realServers: rs };
}

/**
 * Appends to `out` (no spread: a 40,000-server service would overflow the call stack). Linear:
 * the leading run of servers listed in the same order on both sides (the usual case: the
 * kernel's table came from the same decisions) is compared in place; only the rest is indexed.
 */
function* planServers(d: VirtualService, a: VirtualService, out: Command[]): Generator<void> {
  const key: ServiceKey = d.key;
  const want = d.realServers;
  const current = a.realServers;
  const edits: Command[] = [];
  const compare = (r: RealServer, cur: RealServer): void => {
    if (!sameExtra(cur.extra, r.extra)) {
      // options -e cannot remove (e.g. a tunnel type set by hand): replace the server
      out.push({ op: 'delete-server', key, server: cur }, { op: 'add-server', key, server: r });
    } else if (!sameServer(r, cur)) edits.push({ op: 'edit-server', key, server: r });
  };
  let same = 0;
  while (same < want.length && same < current.length
    && want[same]!.address === current[same]!.address && want[same]!.port === current[same]!.port) {
    compare(want[same]!, current[same]!);
    if (++same % STEP === 0) yield;
  }
  if (same < want.length || same < current.length) {
    // Indexed by address (a string the objects already hold: its hash is computed once, where an
    // address:port key was built and hashed for every server of every plan, ~4x the time); the
    // rare second port of an address by address:port.
    const at = new Map<string, number>();
    let otherPorts: Map<string, number> | null = null;
    for (let i = 0; i < current.length; i++) {
      const c = current[i]!;
      if (!at.has(c.address)) at.set(c.address, i);
      else (otherPorts ??= new Map()).set(serverId(c), i);
      if (i % STEP === STEP - 1) yield;
    }
    const listed = new Uint8Array(current.length).fill(1, 0, same);
    for (let j = same; j < want.length; j++) {
      if (j % STEP === STEP - 1) yield;
      const r = want[j]!;
      let i = at.get(r.address);
      if (i !== undefined && current[i]!.port !== r.port) i = otherPorts?.get(serverId(r));
      if (i === undefined) { out.push({ op: 'add-server', key, server: r }); continue; }
      listed[i] = 1;
      compare(r, current[i]!);
    }
    for (const c of edits) out.push(c);
    for (let i = same; i < current.length; i++) if (!listed[i]) out.push({ op: 'delete-server', key, server: current[i]! });
    return;
  }
  for (const c of edits) out.push(c);
}

/** The ids of a table's services, e.g. to build the `owned` set from the configuration. */
export const ownedIds = (services: readonly { key: ServiceKey }[]): Set<string> =>
  new Set(services.map((s) => serviceId(s.key)));
