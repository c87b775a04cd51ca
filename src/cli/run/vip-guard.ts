/**
 * The driver of the "never announce a VIP this host would drop" rule (issue 11 item 10): reads the
 * host's local addresses (os.networkInterfaces, every 5 s and on demand) and the IPVS table last
 * read, asks the pure withheldVips rule, and tells the coordinator which VIPs to withhold, with an
 * alert per VIP. With `bind-vips = yes` it adds the VIPs to `lo` itself and removes them on stop.
 * In dry run it logs the rule's result instead of withholding.
 */
import { networkInterfaces } from 'node:os';
import type { ServiceConfig } from '../../config/index.js';
import { canonicalIp, withheldVips, type IpvsTable, type VipServices } from '../../lvs/index.js';
import type { Logger } from '../../log/logger.js';
import type { CommandRunner } from '../../process/command-runner.js';
import type { Cancel, Clock } from '../../time/clock.js';
import { millis } from '../../time/clock.js';
import { serviceKey } from '../ipvs-mapping.js';

export interface VipGuardOptions {
  clock: Clock;
  log: Logger;
  runner: CommandRunner;
  /** PATH to find `ip` in. */
  path: string;
  /** 'enforce': withhold and alert; 'log': dry run, only log the result. */
  mode: 'enforce' | 'log';
  bind: boolean;
  /** The IPVS table last read (null before the first read). */
  known(): IpvsTable | null;
  withhold(reasons: ReadonlyMap<string, string>): void;
  raise(source: string, message: string): void;
  clear(source: string): void;
  /** Default: every address of every interface (os.networkInterfaces). */
  localAddresses?: () => Set<string>;
  intervalMs?: number;
}

export function hostAddresses(): Set<string> {
  const out = new Set<string>();
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) { const ip = canonicalIp(a.address); if (ip) out.add(ip); }
  }
  return out;
}

/** One entry per VIP with a BGP-enabled service, with all the IPVS services on that VIP. */
function vipsOf(services: readonly ServiceConfig[]): VipServices[] {
  const byIp = new Map<string, ServiceConfig[]>();
  for (const s of services) {
    const ip = canonicalIp(s.ip) ?? s.ip;
    byIp.set(ip, [...(byIp.get(ip) ?? []), s]);
  }
  return [...byIp].filter(([, all]) => all.some((s) => s.bgp)).map(([ip, all]) => ({ ip, services: all.map(serviceKey) }));
}

const alertSource = (ip: string): string => `vip ${ip}`;

export class VipGuard {
  private vips: VipServices[] = [];
  /** Addresses vipd itself added to lo (bind-vips), removed on stop. */
  private readonly added = new Set<string>();
  private last = new Map<string, string>();
  /** VIPs checked at least once (their first result is always logged). */
  private readonly checked = new Set<string>();
  private timer: Cancel | null = null;
  private readFailedAt = -Infinity;

  constructor(private readonly o: VipGuardOptions) {}

  /** The configured services (start and reload): binds new VIPs if asked, unbinds ones that left, checks. */
  async configure(services: readonly ServiceConfig[]): Promise<void> {
    this.vips = vipsOf(services);
    if (this.o.bind) {
      const want = new Set(services.map((s) => canonicalIp(s.ip) ?? s.ip));
      for (const ip of [...this.added]) if (!want.has(ip)) await this.unbind(ip);
      const local = this.readLocal();
      if (local) for (const ip of want) if (!local.has(ip)) await this.bind(ip);
    }
    this.check();
  }

  start(): void {
    const every = millis(this.o.intervalMs ?? 5000);
    const tick = (): void => { this.check(); this.timer = this.o.clock.setTimer(every, tick); };
    this.timer ??= this.o.clock.setTimer(every, tick);
  }

  /** Stops the periodic check; with `unbind`, removes the addresses vipd added (a full stop). */
  async stop(unbind: boolean): Promise<void> {
    this.timer?.();
    this.timer = null;
    if (unbind) for (const ip of [...this.added]) await this.unbind(ip);
  }

  /**
   * The host's addresses, or null when they cannot be read now: os.networkInterfaces() throws when
   * the process is out of file descriptors (EMFILE), and that threw out of this timer and ended vipd
   * in a benchmark at 19,000 checks/s. Then every VIP keeps its last verdict; a warning once a minute.
   */
  private readLocal(): Set<string> | null {
    try {
      return this.local();
    } catch (e) {
      const now = this.o.clock.now();
      if (now - this.readFailedAt >= 60_000) {
        this.readFailedAt = now;
        this.o.log.warn(`cannot read this host's addresses (${e instanceof Error ? e.message : String(e)}); every VIP keeps its last verdict`);
      }
      return null;
    }
  }

  /** Applies the rule to the addresses and table as they are now; logs and alerts each change. */
  check(): void {
    const local = this.readLocal();
    if (!local) return;
    const reasons = withheldVips(this.vips, local, this.o.known());
    const { log, mode } = this.o;
    const dry = mode === 'log' ? 'dry run: ' : '';
    for (const v of this.vips) {
      const why = reasons.get(v.ip);
      const before = this.last.get(v.ip);
      if (this.checked.has(v.ip) && why === before) continue;
      this.checked.add(v.ip);
      if (why) {
        log.warn(`${dry}VIP ${mode === 'log' ? 'would be ' : ''}withheld: ${why}`, { vip: v.ip });
        if (mode === 'enforce') this.o.raise(alertSource(v.ip), `VIP withheld: ${why}`);
      } else {
        log.info(`${dry}VIP check passed: a local address, IPVS holds its services`, { vip: v.ip });
        if (mode === 'enforce') this.o.clear(alertSource(v.ip));
      }
    }
    for (const ip of this.checked) {
      if (this.vips.some((v) => v.ip === ip)) continue;
      this.checked.delete(ip);
      if (mode === 'enforce') this.o.clear(alertSource(ip));
    }
    this.last = reasons;
    if (mode === 'enforce') this.o.withhold(reasons);
  }

  private local(): Set<string> { return (this.o.localAddresses ?? hostAddresses)(); }

  private async ip(args: string[]): Promise<string | null> {
    const r = await this.o.runner.run('ip', args, { env: { PATH: this.o.path, LC_ALL: 'C' }, timeoutMs: 10_000, maxOutputBytes: 65536 });
    if (r.spawnError) return `cannot run ip: ${r.spawnError}`;
    if (r.timedOut) return 'no answer within 10 s';
    return r.exitCode === 0 ? null : (r.stderr.trim() || `exit ${r.exitCode}`);
  }

  private async bind(ip: string): Promise<void> {
    const prefix = `${ip}/${ip.includes(':') ? 128 : 32}`;
    if (this.o.mode === 'log') { this.o.log.info(`dry run: bind-vips would run ip addr add ${prefix} dev lo`, { vip: ip }); return; }
    const err = await this.ip(['addr', 'add', prefix, 'dev', 'lo']);
    if (err) { this.o.log.error(`bind-vips: ip addr add ${prefix} dev lo failed: ${err}`, { vip: ip }); return; }
    this.added.add(ip);
    this.o.log.info(`bind-vips: added ${prefix} to lo`, { vip: ip });
  }

  private async unbind(ip: string): Promise<void> {
    const prefix = `${ip}/${ip.includes(':') ? 128 : 32}`;
    const err = await this.ip(['addr', 'del', prefix, 'dev', 'lo']);
    this.added.delete(ip);
    if (err) this.o.log.error(`bind-vips: ip addr del ${prefix} dev lo failed: ${err}`, { vip: ip });
    else this.o.log.info(`bind-vips: removed ${prefix} from lo`, { vip: ip });
  }
}
