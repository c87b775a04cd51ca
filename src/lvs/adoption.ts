import type { Logger } from '../log/logger.js';
import { millis, type Cancel, type Clock, type Millis } from '../time/clock.js';
import { backoff } from './backoff.js';
import type { Ipvs } from './ipvs.js';
import type { IpvsTable } from './model.js';

export interface AdoptionOptions {
  ipvs: Ipvs;
  clock: Clock;
  logger: Logger;
  /** First wait after a failed read (default 0.5 s), doubled per failure up to `maxMs` (default 30 s). */
  firstMs?: Millis;
  maxMs?: Millis;
  /** A read failed; the next try is in `retryInMs`. Nothing may be applied meanwhile. */
  onFailure(error: string, retryInMs: Millis): void;
  /** The first successful read: what the kernel holds, to adopt. Called once. */
  onAdopted(table: IpvsTable): void;
}

/**
 * Reads the kernel's table once at start, retrying by backoff until a read succeeds. Until then
 * vipd knows nothing of what the kernel holds, so it must apply nothing: a batch planned against
 * an unknown table would delete every realserver it did not see.
 */
export class IpvsAdoption {
  failures = 0;
  adopted = false;
  private timer: Cancel | null = null;
  private stopped = false;

  constructor(private readonly opts: AdoptionOptions) {}

  /** Tries once now; on failure keeps retrying in the background. Resolves with the first try's outcome. */
  async start(): Promise<boolean> {
    await this.attempt();
    return this.adopted;
  }

  stop(): void {
    this.stopped = true;
    this.timer?.();
    this.timer = null;
  }

  private async attempt(): Promise<void> {
    if (this.stopped || this.adopted) return;
    let table: IpvsTable;
    try {
      table = await this.opts.ipvs.read();
    } catch (e) {
      if (this.stopped) return;
      this.failures++;
      const wait = backoff(this.failures, this.opts.firstMs ?? millis(500), this.opts.maxMs ?? millis(30_000));
      const msg = e instanceof Error ? e.message : String(e);
      this.opts.logger.error(`cannot read the IPVS table; nothing is applied until a read succeeds: ${msg}`,
        { attempt: this.failures, retryInMs: wait });
      this.opts.onFailure(msg, wait);
      this.timer = this.opts.clock.setTimer(wait, () => { this.timer = null; void this.attempt(); });
      return;
    }
    if (this.stopped) return;
    this.adopted = true;
    if (this.failures) this.opts.logger.info('IPVS table read; adopting it', { failedReads: this.failures, services: table.length });
    this.opts.onAdopted(table);
  }
}
