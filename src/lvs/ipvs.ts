import { renderBatch, renderCommand, type Command } from './commands.js';
import { IpvsError } from './errors.js';
import { serviceId, type IpvsTable, type ServiceKey } from './model.js';
import type { Counters, ServiceRow } from './parse-listing.js';
import { plan } from './plan.js';

export interface ApplyResult {
  /** What was applied, in order; empty when the table already matched. */
  readonly commands: readonly Command[];
  /** The exact text given to `ipvsadm -R` ('' when nothing was applied). */
  readonly batch: string;
}

/**
 * The one narrow port to the kernel's IPVS table. Implementations know the services vipd owns
 * and never touch any other: no flush, no deletion of a service that is not owned.
 */
export interface Ipvs {
  /** The whole current table (owned or not). */
  read(): Promise<IpvsTable>;
  /** The table of the latest successful read (every apply reads before and after), null before one. */
  known(): IpvsTable | null;
  /** Makes the owned services equal `desired` with one batch, reads back and verifies. */
  apply(desired: IpvsTable): Promise<ApplyResult>;
  /** Traffic counters of every service. */
  stats(): Promise<readonly ServiceRow<Counters>[]>;
  /**
   * Adds services to the owned set (a reload that configures new ones): once owned, a service
   * that leaves `desired` is deleted from the table.
   */
  own(keys: Iterable<ServiceKey>): void;
}

export interface TableIo {
  read(): Promise<IpvsTable>;
  execute(batch: string, commands: readonly Command[]): Promise<void>;
}

export const ownedSet = (owned: Iterable<ServiceKey>): Set<string> => new Set([...owned].map(serviceId));

/** Adds `keys` to a driver's owned set. */
export function addOwned(owned: Set<string>, keys: Iterable<ServiceKey>): void {
  for (const k of keys) owned.add(serviceId(k));
}

/** Shared by the drivers: read, plan, apply one batch, read back, verify nothing is left. */
export async function planAndApply(io: TableIo, desired: IpvsTable, owned: ReadonlySet<string>): Promise<ApplyResult> {
  const mine = new Set([...owned, ...desired.map((s) => serviceId(s.key))]);
  const commands = plan(desired, await io.read(), mine);
  if (!commands.length) return { commands, batch: '' };
  const batch = renderBatch(commands);
  try {
    await io.execute(batch, commands);
  } catch (e) {
    // A batch that failed may have applied part of its lines: read the kernel's table back now
    // (the driver keeps it as the latest known) rather than assume either outcome.
    await io.read().catch(() => undefined);
    throw e;
  }
  const left = plan(desired, await io.read(), mine);
  if (left.length) {
    const more = left.length > 5 ? ` and ${left.length - 5} more` : '';
    const text = left.slice(0, 5).map(renderCommand).join('; ') + more;
    throw new IpvsError('verify-failed', `IPVS table differs after applying the batch; still needed: ${text}`, { batch });
  }
  return { commands, batch };
}
