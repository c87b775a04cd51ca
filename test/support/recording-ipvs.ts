import type { DesiredService, IpvsChanges, IpvsPort } from '../../src/coordinator/types.js';

/**
 * An IpvsPort that keeps the table the coordinator has handed over, service by service, and
 * records a snapshot of the whole table after every batch (tests read `tables.at(-1)`).
 */
export function recordingIpvs(): { port: IpvsPort; tables: DesiredService[][]; current: Map<string, DesiredService>; batches: IpvsChanges[] } {
  const current = new Map<string, DesiredService>();
  const tables: DesiredService[][] = [];
  const batches: IpvsChanges[] = [];
  const port: IpvsPort = {
    applyChanges: (c) => {
      batches.push(c);
      for (const name of c.removed) current.delete(name);
      for (const d of c.services) current.set(d.service, d);
      tables.push([...current.values()]);
    },
  };
  return { port, tables, current, batches };
}
