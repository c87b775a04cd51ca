import { renderBatchSliced, renderCommand, type Command } from './commands.js';
import type { ServiceCounters } from './counters.js';
import { IpvsError } from './errors.js';
import { serviceId, type IpvsTable, type ServiceKey } from './model.js';
import type { Counters, ServiceRow } from './parse-listing.js';
import { planSliced } from './plan.js';

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
  /**
   * What vipd believes the table holds: the latest read, plus every batch applied since
   * (the kernel accepted it, line by line); null before the first read.
   */
  known(): IpvsTable | null;
  /**
   * Makes the owned services equal `desired` with one batch. By default plans against `known()`
   * (reading only when there is none or the last batch failed) and reads nothing back: a
   * decision costs no kernel read (issue 13 §2). `readBack` (the periodic check) reads the
   * table first, and again after the batch to verify it.
   */
  apply(desired: IpvsTable, options?: ApplyOptions): Promise<ApplyResult>;
  /** Traffic counters of every service. */
  stats(): Promise<readonly ServiceRow<Counters>[]>;
  /** Live per-realserver counters: weight, ActiveConn, InActConn, rates (issue 16 §1). */
  counters(): Promise<readonly ServiceCounters[]>;
  /**
   * Adds services to the owned set (a reload that configures new ones): once owned, a service
   * that leaves `desired` is deleted from the table.
   */
  own(keys: Iterable<ServiceKey>): void;
}

export interface ApplyOptions {
  /** Read the table before planning and after the batch, and verify it (drift repair). */
  readonly readBack?: boolean;
}

export interface TableIo {
  /** Reads the whole table (a driver keeps it as its known table). */
  read(): Promise<IpvsTable>;
  /** The table to plan against without a read, or null when it must be read first. */
  trusted(): IpvsTable | null;
  /** A batch planned against `before` went through (not called with `readBack`). */
  applied(before: IpvsTable, commands: readonly Command[]): void | Promise<void>;
  execute(batch: string, commands: readonly Command[]): Promise<void>;
}

export const ownedSet = (owned: Iterable<ServiceKey>): Set<string> => new Set([...owned].map(serviceId));

/** Adds `keys` to a driver's owned set. */
export function addOwned(owned: Set<string>, keys: Iterable<ServiceKey>): void {
  for (const k of keys) owned.add(serviceId(k));
}

/**
 * Shared by the drivers: plan against the known table (or a fresh read), apply one batch, and,
 * with `readBack`, read back and verify nothing is left. A failed batch is always read back.
 */
export async function planAndApply(io: TableIo, desired: IpvsTable, owned: ReadonlySet<string>, options: ApplyOptions = {}): Promise<ApplyResult> {
  const mine = new Set(owned);
  for (const s of desired) mine.add(serviceId(s.key));
  const known = options.readBack ? null : io.trusted();
  const current = known ?? await io.read();
  // a 10,000-command batch: plan, render and the model update give the loop back every few ms (issue 13 §5)
  const commands = await planSliced(desired, current, mine);
  if (!commands.length) return { commands, batch: '' };
  const batch = await renderBatchSliced(commands);
  try {
    await io.execute(batch, commands);
  } catch (e) {
    // A batch that failed may have applied part of its lines: read the kernel's table back now
    // (the driver keeps it as the latest known) rather than assume either outcome.
    await io.read().catch(() => undefined);
    throw e;
  }
  if (!options.readBack) {
    await io.applied(current, commands);
    return { commands, batch };
  }
  const left = await planSliced(desired, await io.read(), mine);
  if (left.length) {
    const more = left.length > 5 ? ` and ${left.length - 5} more` : '';
    const text = left.slice(0, 5).map(renderCommand).join('; ') + more;
    throw new IpvsError('verify-failed', `IPVS table differs after applying the batch; still needed: ${text}`, { batch });
  }
  return { commands, batch };
}
