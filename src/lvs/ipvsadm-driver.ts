import type { Logger } from '../log/logger.js';
import type { CommandRunner, RunResult } from '../process/command-runner.js';
import { renderBatch, type Command } from './commands.js';
import { IpvsError, ipvsadmError } from './errors.js';
import { addOwned, ownedSet, planAndApply, type ApplyOptions, type ApplyResult, type Ipvs } from './ipvs.js';
import { serverId, serviceId, type IpvsTable, type RealServer, type ServiceKey, type VirtualService } from './model.js';
import { joinCounters, type ServiceCounters } from './counters.js';
import { parseConnectionsSliced, parseRateSliced, parseStatsSliced, parseThresholdsSliced, type Counters, type ServiceRow } from './parse-listing.js';
import { parseSaveSliced, SaveParser } from './parse-save.js';
import { LineFeed, Slicer } from '../time/slices.js';
import { orderMatters } from './dest-order.js';
import { applyCommandsSliced } from './table-apply.js';

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
  /** `last` is what the kernel holds (false after a failed batch or read: read before planning). */
  private trust = false;

  constructor(private readonly opts: IpvsadmDriverOptions) {
    this.owned = ownedSet(opts.owned);
    this.bin = opts.ipvsadm ?? 'ipvsadm';
    this.timeoutMs = opts.timeoutMs ?? 30_000;
    this.env = { PATH: opts.path || DEFAULT_PATH, LC_ALL: 'C' };
  }

  private async ipvsadm(args: string[], input?: string, onStdout?: (text: string) => void): Promise<RunResult> {
    const what = `ipvsadm ${args.join(' ')}`;
    const r = await this.opts.runner.run(this.bin, args, {
      env: this.env, timeoutMs: this.timeoutMs, maxOutputBytes: MAX_OUTPUT, ...(input !== undefined ? { input } : {}),
      ...(onStdout ? { onStdout } : {}),
    });
    if (r.spawnError) throw new IpvsError('not-installed', `${what}: cannot run ${this.bin}: ${r.spawnError}`);
    if (r.timedOut) throw new IpvsError('timeout', `${what}: no answer within ${this.timeoutMs} ms`);
    // ipvsadm -R goes on after a line the kernel rejects and exits with the last line's status,
    // so any stderr output is a failure
    if (r.exitCode !== 0 || r.stderr.trim()) throw ipvsadmError(what, r.stderr, r.exitCode, input);
    if (r.stdoutTruncated) throw new IpvsError('unknown', `${what}: output above ${MAX_OUTPUT} bytes`);
    return r;
  }

  /**
   * Reads `-Sn` and the thresholds (`-Ln --nosort`: the kernel's own list order, which -S cannot
   * show, for the services whose table depends on it: dest-order.ts), parsing in slices so a
   * 10,000-server table does not block the loop.
   */
  async read(): Promise<IpvsTable> {
    this.trust = false;
    const table = await this.readSave();
    const thr = await this.ipvsadm(['-Ln', '--thresholds', '--exact', '--nosort']);
    const thresholds = await parseThresholdsSliced(thr.stdout);
    const slicer = new Slicer();
    for (let i = 0; i < table.length; i++) {
      const s = table[i]!;
      const t = thresholds.get(serviceId(s.key));
      if (!t) continue;
      const servers = s.realServers.slice();
      for (let j = 0; j < servers.length; j++) {
        const x = t.get(serverId(servers[j]!));
        if (x) servers[j] = { ...servers[j]!, upperThreshold: x.upper, lowerThreshold: x.lower };
        if (slicer.due()) await slicer.pause();
      }
      table[i] = { ...s, realServers: orderMatters(s.scheduler) ? listOrder(servers, t) : servers };
    }
    this.last = table;
    this.trust = true;
    return table;
  }

  /** `-Sn`, parsed line by line as the output streams in (a runner that does not stream: from its stdout, in slices). */
  private async readSave(): Promise<VirtualService[]> {
    const parser = new SaveParser();
    let failure: unknown = null;
    let streamed = false;
    const feed = new LineFeed((line, no) => { if (failure === null) parser.line(line, no); });
    const r = await this.ipvsadm(['-Sn'], undefined, (text) => {
      streamed = true;
      try { feed.push(text); } catch (e) { failure ??= e; }
    });
    if (!streamed) return parseSaveSliced(r.stdout);
    try { feed.end(); } catch (e) { failure ??= e; }
    if (failure !== null) throw failure;
    return parser.result();
  }

  known(): IpvsTable | null { return this.last; }

  own(keys: Iterable<ServiceKey>): void { addOwned(this.owned, keys); }

  async apply(desired: IpvsTable, options?: ApplyOptions): Promise<ApplyResult> {
    return planAndApply({
      read: () => this.read(),
      trusted: () => (this.trust ? this.last : null),
      applied: async (before, commands) => {
        try {
          this.last = await applyCommandsSliced(before, commands);
          this.trust = true;
        } catch (e) {
          // the kernel took a batch our model of it rejects: believe the kernel, read it next time
          this.trust = false;
          this.opts.logger.warn('IPVS model disagrees with the kernel; reading the table before the next batch', { error: String(e) });
        }
      },
      execute: async (batch: string, commands: readonly Command[]) => {
        this.opts.logger.debug('ipvsadm -R', { commands: commands.length });
        this.trust = false;
        await this.ipvsadm(['-R'], batch);
      },
    }, desired, this.owned, options);
  }

  /** Runs commands as one `ipvsadm -R` batch, without planning or verifying. */
  async execute(commands: readonly Command[]): Promise<void> {
    this.trust = false; // not through the planner: the next apply reads the table first
    await this.ipvsadm(['-R'], renderBatch(commands));
  }

  async stats(): Promise<readonly ServiceRow<Counters>[]> {
    return parseStatsSliced((await this.ipvsadm(['-Ln', '--stats', '--exact'])).stdout);
  }

  /** Two reads (`-Ln --exact`, `-Ln --rate --exact`), parsed in slices; the caller serialises them with batches. */
  async counters(): Promise<readonly ServiceCounters[]> {
    const conns = await this.ipvsadm(['-Ln', '--exact']);
    const rates = await this.ipvsadm(['-Ln', '--rate', '--exact']);
    return joinCounters(await parseConnectionsSliced(conns.stdout), await parseRateSliced(rates.stdout));
  }
}

/** `servers` (from -Sn, sorted by ipvsadm) in the order of the unsorted listing `listed`, when both hold the same servers. */
function listOrder(servers: RealServer[], listed: ReadonlyMap<string, unknown>): RealServer[] {
  if (listed.size !== servers.length) return servers;
  const byId = new Map(servers.map((r) => [serverId(r), r]));
  const out: RealServer[] = [];
  for (const id of listed.keys()) {
    const r = byId.get(id);
    if (!r) return servers;
    out.push(r);
  }
  return out;
}
