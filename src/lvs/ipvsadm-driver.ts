import type { Logger } from '../log/logger.js';
import type { CommandRunner, RunResult } from '../process/command-runner.js';
import { renderBatch, type Command } from './commands.js';
import { IpvsError, ipvsadmError } from './errors.js';
import { addOwned, ownedSet, planAndApply, type ApplyResult, type Ipvs } from './ipvs.js';
import { serverId, serviceId, type IpvsTable, type ServiceKey } from './model.js';
import { parseStats, parseThresholds, type Counters, type ServiceRow } from './parse-listing.js';
import { parseSave } from './parse-save.js';

export interface IpvsadmDriverOptions {
  runner: CommandRunner;
  /** The services vipd owns (from the configuration); no other service is ever changed. */
  owned: Iterable<ServiceKey>;
  logger: Logger;
  /** Default `ipvsadm` found through `path`. */
  ipvsadm?: string;
  /** Where to look for ipvsadm (the daemon passes its own PATH); default /usr/sbin:/usr/bin:/sbin:/bin. */
  path?: string;
  timeoutMs?: number;
}

export const DEFAULT_PATH = '/usr/sbin:/usr/bin:/sbin:/bin';
const MAX_OUTPUT = 64 * 1024 * 1024;

/** The real driver: reads with `-Sn` (+ thresholds), applies one `ipvsadm -R` batch, verifies. */
export class IpvsadmDriver implements Ipvs {
  private readonly owned: Set<string>;
  private readonly bin: string;
  private readonly timeoutMs: number;
  private readonly env: Record<string, string>;
  private last: IpvsTable | null = null;

  constructor(private readonly opts: IpvsadmDriverOptions) {
    this.owned = ownedSet(opts.owned);
    this.bin = opts.ipvsadm ?? 'ipvsadm';
    this.timeoutMs = opts.timeoutMs ?? 30_000;
    this.env = { PATH: opts.path || DEFAULT_PATH, LC_ALL: 'C' };
  }

  private async ipvsadm(args: string[], input?: string): Promise<RunResult> {
    const what = `ipvsadm ${args.join(' ')}`;
    const r = await this.opts.runner.run(this.bin, args, {
      env: this.env, timeoutMs: this.timeoutMs, maxOutputBytes: MAX_OUTPUT, ...(input !== undefined ? { input } : {}),
    });
    if (r.spawnError) throw new IpvsError('not-installed', `${what}: cannot run ${this.bin}: ${r.spawnError}`);
    if (r.timedOut) throw new IpvsError('timeout', `${what}: no answer within ${this.timeoutMs} ms`);
    // ipvsadm -R goes on after a line the kernel rejects and exits with the last line's status,
    // so any stderr output is a failure
    if (r.exitCode !== 0 || r.stderr.trim()) throw ipvsadmError(what, r.stderr, r.exitCode, input);
    if (r.stdoutTruncated) throw new IpvsError('unknown', `${what}: output above ${MAX_OUTPUT} bytes`);
    return r;
  }

  async read(): Promise<IpvsTable> {
    const [save, thr] = [await this.ipvsadm(['-Sn']), await this.ipvsadm(['-Ln', '--thresholds', '--exact'])];
    const thresholds = parseThresholds(thr.stdout);
    this.last = parseSave(save.stdout).map((s) => {
      const t = thresholds.get(serviceId(s.key));
      if (!t) return s;
      return {
        ...s,
        realServers: s.realServers.map((r) => {
          const x = t.get(serverId(r));
          return x ? { ...r, upperThreshold: x.upper, lowerThreshold: x.lower } : r;
        }),
      };
    });
    return this.last;
  }

  known(): IpvsTable | null { return this.last; }

  own(keys: Iterable<ServiceKey>): void { addOwned(this.owned, keys); }

  async apply(desired: IpvsTable): Promise<ApplyResult> {
    return planAndApply({
      read: () => this.read(),
      execute: async (batch: string, commands: readonly Command[]) => {
        this.opts.logger.debug('ipvsadm -R', { commands: commands.length });
        await this.ipvsadm(['-R'], batch);
      },
    }, desired, this.owned);
  }

  /** Runs commands as one `ipvsadm -R` batch, without planning or verifying. */
  async execute(commands: readonly Command[]): Promise<void> {
    await this.ipvsadm(['-R'], renderBatch(commands));
  }

  async stats(): Promise<readonly ServiceRow<Counters>[]> {
    return parseStats((await this.ipvsadm(['-Ln', '--stats', '--exact'])).stdout);
  }
}
