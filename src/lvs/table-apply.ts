import type { Command } from './commands.js';
import { IpvsError } from './errors.js';
import { Slicer } from '../time/slices.js';
import { describeService, normalizeService, serverId, serviceId, type IpvsTable, type RealServer, type VirtualService } from './model.js';

/**
 * A service some command changed: its realservers by id (Map order: the list before the batch, then
 * adds) and, per server added in this batch, the number of its latest add.
 */
interface Open { service: VirtualService; servers: Map<string, RealServer> | null; added?: Map<string, number> }

/**
 * Applies commands to an in-memory table with the kernel's rules (same error kinds as
 * ipvsadm); the dry-run driver's table, and the kernel driver's idea of the kernel's table
 * between read-backs. Kept in the kernel's order: services as added; a realserver added (or
 * re-added) goes to the head of its service's list, an edited one keeps its place
 * (ip_vs_ctl.c __ip_vs_update_dest: list_add_rcu; see dest-order.ts).
 * Linear in the table plus the commands (issue 13 §2): each touched service's realservers are
 * indexed once, then every command is a map operation; untouched services are reused as they are.
 */
export function applyCommands(table: IpvsTable, commands: readonly Command[]): VirtualService[] {
  const out: VirtualService[] = [];
  for (const _ of applySteps(table, commands, out));
  return out;
}

/** `applyCommands`, giving the event loop back every few milliseconds (issue 13 §5). */
export async function applyCommandsSliced(table: IpvsTable, commands: readonly Command[]): Promise<VirtualService[]> {
  const out: VirtualService[] = [];
  const slicer = new Slicer();
  for (const _ of applySteps(table, commands, out)) if (slicer.dueNow()) await slicer.pause();
  return out;
}

const STEP = 512;

/** Applies into `out`, pausing (a bare `yield`) every STEP commands so a caller may slice the work. */
function* applySteps(table: IpvsTable, commands: readonly Command[], out: VirtualService[]): Generator<void> {
  const t = new Map<string, Open>();
  for (const s of table) t.set(serviceId(s.key), { service: s, servers: null });
  let step = 0;
  let adds = 0;
  for (const c of commands) {
    if (++step % STEP === 0) yield;
    const key = c.op === 'add-service' || c.op === 'edit-service' ? c.service.key : c.key;
    const id = serviceId(key);
    const cur = t.get(id);
    if (c.op === 'add-service') {
      if (cur) throw new IpvsError('service-exists', `${describeService(key)}: Service already exists`);
      t.set(id, { service: attributes(c.service), servers: new Map() });
      continue;
    }
    if (!cur) throw new IpvsError('no-such-service', `${describeService(key)}: No such service`);
    if (c.op === 'edit-service') {
      cur.servers ??= index(cur.service.realServers);
      cur.service = attributes(c.service);
    } else if (c.op === 'delete-service') t.delete(id);
    else {
      const servers = (cur.servers ??= index(cur.service.realServers));
      const rid = serverId(c.server);
      const has = servers.has(rid);
      if (c.op === 'add-server' && has) throw new IpvsError('destination-exists', `${describeService(key)} ${rid}: Destination already exists`);
      if (c.op !== 'add-server' && !has) throw new IpvsError('no-such-destination', `${describeService(key)} ${rid}: No such destination`);
      // Map.set keeps an edited server's place; an added one is put at the head on output
      if (c.op === 'delete-server') servers.delete(rid);
      else servers.set(rid, c.server);
      if (c.op === 'add-server') (cur.added ??= new Map()).set(rid, ++adds);
    }
  }
  for (const o of t.values()) {
    out.push(o.servers ? { ...o.service, realServers: listOrder(o.servers, o.added) } : o.service);
    if (o.servers) yield;
  }
}

/** The kernel's list: the servers added in the batch, latest first, then the others in their places. */
function listOrder(servers: Map<string, RealServer>, added: Map<string, number> | undefined): RealServer[] {
  if (!added) return [...servers.values()];
  const front = [...added].filter(([rid]) => servers.has(rid)).sort((a, b) => b[1] - a[1]).map(([rid]) => servers.get(rid)!);
  const rest: RealServer[] = [];
  for (const [rid, r] of servers) if (!added.has(rid)) rest.push(r);
  return front.concat(rest);
}

/** The service's own settings, normalized, without its realservers. */
const attributes = (s: VirtualService): VirtualService => normalizeService({ ...s, realServers: [] });

function index(servers: readonly RealServer[]): Map<string, RealServer> {
  const m = new Map<string, RealServer>();
  for (const r of servers) m.set(serverId(r), r);
  return m;
}
