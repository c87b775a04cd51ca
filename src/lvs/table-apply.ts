import type { Command } from './commands.js';
import { IpvsError } from './errors.js';
import { describeService, normalizeService, serverId, serviceId, type IpvsTable, type VirtualService } from './model.js';

/**
 * Applies commands to an in-memory table with the kernel's rules (same error kinds as
 * ipvsadm); the dry-run driver's table. Kept in the kernel's order: services as added.
 */
export function applyCommands(table: IpvsTable, commands: readonly Command[]): VirtualService[] {
  const t = new Map(table.map((s) => [serviceId(s.key), s]));
  for (const c of commands) {
    const key = c.op === 'add-service' || c.op === 'edit-service' ? c.service.key : c.key;
    const id = serviceId(key);
    const cur = t.get(id);
    const where = describeService(key);
    if (c.op === 'add-service') {
      if (cur) throw new IpvsError('service-exists', `${where}: Service already exists`);
      t.set(id, { ...normalizeService(c.service), realServers: [] });
      continue;
    }
    if (!cur) throw new IpvsError('no-such-service', `${where}: No such service`);
    if (c.op === 'edit-service') t.set(id, { ...normalizeService(c.service), realServers: cur.realServers });
    else if (c.op === 'delete-service') t.delete(id);
    else {
      const rid = serverId(c.server);
      const has = cur.realServers.some((r) => serverId(r) === rid);
      const rest = cur.realServers.filter((r) => serverId(r) !== rid);
      if (c.op === 'add-server' && has) throw new IpvsError('destination-exists', `${where} ${rid}: Destination already exists`);
      if (c.op !== 'add-server' && !has) throw new IpvsError('no-such-destination', `${where} ${rid}: No such destination`);
      if (c.op === 'add-server') t.set(id, { ...cur, realServers: [...cur.realServers, c.server] });
      else if (c.op === 'edit-server') t.set(id, { ...cur, realServers: cur.realServers.map((r) => (serverId(r) === rid ? c.server : r)) });
      else t.set(id, { ...cur, realServers: rest });
    }
  }
  return [...t.values()];
}
