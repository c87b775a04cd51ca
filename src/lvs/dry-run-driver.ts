import type { Logger } from '../log/logger.js';
import { addOwned, ownedSet, planAndApply, type ApplyOptions, type ApplyResult, type Ipvs } from './ipvs.js';
import type { IpvsTable, ServiceKey } from './model.js';
import type { RealServerCounters, ServiceCounters } from './counters.js';
import type { Counters, ServiceRow } from './parse-listing.js';
import { applyCommandsSliced } from './table-apply.js';

export interface DryRunOptions {
  owned: Iterable<ServiceKey>;
  logger: Logger;
  /** The table to start from (e.g. one read once from the kernel); empty by default. */
  initial?: IpvsTable;
}

/** Lines of a batch the dry-run log line shows; the reconciler logs every command on its own line anyway. */
export const LOGGED_BATCH_LINES = 100;

/** The batch as logged: its first LOGGED_BATCH_LINES lines and how many more (10,000 lines were one 600 KB line written at once). */
export function batchExcerpt(batch: string): string {
  let end = -1;
  for (let i = 0; i < LOGGED_BATCH_LINES; i++) {
    end = batch.indexOf('\n', end + 1);
    if (end < 0 || end === batch.length - 1) return batch;
  }
  let more = 0;
  for (let i = end + 1; i < batch.length; i++) if (batch.charCodeAt(i) === 10) more++;
  if (!batch.endsWith('\n')) more++;
  return `${batch.slice(0, end + 1)}… and ${more} more lines\n`;
}

const ZERO: Counters = { conns: 0, inPackets: 0, outPackets: 0, inBytes: 0, outBytes: 0 };

/**
 * How much of its past batches a dry run keeps (for tests and a reader of the driver): the last
 * batches up to this many characters (at least the last one), at most KEPT_BATCHES of them. Every
 * batch was kept: a dry run at 10,000 realservers held its first batch (~0.5 MB) for good, and each
 * later one on top, without bound.
 */
export const KEPT_BATCH_CHARS = 256 * 1024;
export const KEPT_BATCHES = 1000;

/** Changes nothing on the machine: logs each batch and keeps the table in memory. */
export class DryRunDriver implements Ipvs {
  private table: IpvsTable;
  private readonly owned: Set<string>;
  /** The last batches "applied", oldest first (KEPT_BATCH_CHARS, KEPT_BATCHES); `applied` counts them all. */
  readonly batches: string[] = [];
  applied = 0;
  private keptChars = 0;

  constructor(private readonly opts: DryRunOptions) {
    this.table = opts.initial ?? [];
    this.owned = ownedSet(opts.owned);
  }

  async read(): Promise<IpvsTable> { return this.table; }

  known(): IpvsTable | null { return this.table; }

  /** Replaces the in-memory table, as someone running ipvsadm by hand would change the kernel's. */
  replaceTable(table: IpvsTable): void { this.table = table; }

  own(keys: Iterable<ServiceKey>): void { addOwned(this.owned, keys); }

  async apply(desired: IpvsTable, options?: ApplyOptions): Promise<ApplyResult> {
    return planAndApply({
      read: async () => this.table,
      trusted: () => this.table,
      applied: () => {}, // execute has changed the table already
      execute: async (batch, commands) => {
        this.table = await applyCommandsSliced(this.table, commands);
        this.keep(batch);
        this.opts.logger.info('dry run: ipvsadm -R batch not applied', { commands: commands.length, batch: batchExcerpt(batch) });
      },
    }, desired, this.owned, options);
  }

  private keep(batch: string): void {
    this.applied++;
    this.batches.push(batch);
    this.keptChars += batch.length;
    let drop = 0;
    while (this.batches.length - drop > 1 && (this.keptChars > KEPT_BATCH_CHARS || this.batches.length - drop > KEPT_BATCHES)) {
      this.keptChars -= this.batches[drop++]!.length;
    }
    if (drop) this.batches.splice(0, drop);
  }

  async stats(): Promise<readonly ServiceRow<Counters>[]> {
    return this.table.map((s) => ({
      key: s.key, totals: ZERO, servers: s.realServers.map((r) => ({ address: r.address, port: r.port, values: ZERO })),
    }));
  }

  /** Counters to report (tests; a dry run has no traffic); by default zeros with each server's weight. */
  fakeCounters: ((table: IpvsTable) => ServiceCounters[]) | null = null;

  async counters(): Promise<readonly ServiceCounters[]> {
    if (this.fakeCounters) return this.fakeCounters(this.table);
    return this.table.map((s) => ({
      key: s.key,
      servers: s.realServers.map((r): RealServerCounters => ({
        address: r.address, port: r.port, weight: r.weight, active: 0, inactive: 0, cps: 0, inBps: 0, outBps: 0,
      })),
    }));
  }
}
