/**
 * Bounded hostname resolution (issue 11): at most `concurrency` look-ups run at once (the rest
 * wait in order), a name that failed is answered from a negative cache for `negativeTtlMs`
 * without asking again, the same name asked twice at once is asked once, and a failing name is
 * reported (for a log line) at most once per `reportEveryMs`. No timers: time comes from the clock.
 */
import { isIPv4 } from 'node:net';
import ipaddr from 'ipaddr.js';
import type { Clock } from '../time/clock.js';
import type { Logger } from '../log/logger.js';
import type { Resolver } from './types.js';

export interface LookupOutcome {
  ips: string[];
  /** Why there is no address; null when there is one. */
  error: string | null;
  /** Log this failure: the first for this name in the report period. */
  report: boolean;
}

export interface LimiterOptions {
  /** Look-ups in flight at once; default 32. */
  concurrency?: number;
  /** A failed name is not asked again for this long; default 30 s. */
  negativeTtlMs?: number;
  /** A name that keeps failing is reported again after this long; default 5 min. */
  reportEveryMs?: number;
}

interface Failure { until: number; error: string; reportedAt: number | null }

export class ResolveLimiter {
  private readonly concurrency: number;
  private readonly ttl: number;
  private readonly reportEvery: number;
  private running = 0;
  private readonly waiting: (() => void)[] = [];
  private readonly inFlight = new Map<string, Promise<LookupOutcome>>();
  private readonly failures = new Map<string, Failure>();

  constructor(private readonly resolver: Resolver, private readonly clock: Clock, o: LimiterOptions = {}) {
    this.concurrency = Math.max(1, o.concurrency ?? 32);
    this.ttl = o.negativeTtlMs ?? 30_000;
    this.reportEvery = o.reportEveryMs ?? 300_000;
  }

  /** Look-ups running now, and waiting for a slot. */
  get active(): number { return this.running; }
  get queued(): number { return this.waiting.length; }

  lookup(host: string, family: 4 | 6): Promise<LookupOutcome> {
    const key = `${family} ${host}`;
    const failed = this.failures.get(key);
    if (failed && this.clock.now() < failed.until) return Promise.resolve({ ips: [], error: failed.error, report: false });
    const shared = this.inFlight.get(key);
    if (shared) return shared.then((r) => ({ ...r, report: false }));
    const p = this.run(key, host, family).finally(() => this.inFlight.delete(key));
    this.inFlight.set(key, p);
    return p;
  }

  /** Forget failures of names no pool lists any more (keeps the cache bounded). */
  retain(keep: (host: string) => boolean): void {
    for (const key of this.failures.keys()) if (!keep(key.slice(key.indexOf(' ') + 1))) this.failures.delete(key);
  }

  private async run(key: string, host: string, family: 4 | 6): Promise<LookupOutcome> {
    await this.slot();
    let ips: string[] = [];
    let error: string | null = null;
    try {
      ips = await this.resolver(host, family);
      if (ips.length === 0) error = `no IPv${family} address`;
    } catch (e) {
      error = e instanceof Error ? e.message : String(e);
    } finally {
      this.release();
    }
    if (error === null) {
      this.failures.delete(key);
      return { ips, error, report: false };
    }
    const now = this.clock.now();
    const prev = this.failures.get(key);
    const report = prev?.reportedAt == null || now - prev.reportedAt >= this.reportEvery;
    this.failures.set(key, { until: now + this.ttl, error, reportedAt: report ? now : prev!.reportedAt });
    return { ips: [], error, report };
  }

  private slot(): Promise<void> {
    if (this.running < this.concurrency) { this.running++; return Promise.resolve(); }
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  /** Hand the slot to the next waiter, or free it. */
  private release(): void {
    const next = this.waiting.shift();
    if (next) next(); else this.running--;
  }
}

// Dotted-quad IPv4 (node's strict check, its own canonical form) without ipaddr.js: three parses
// per server added up at 10,000 servers; every other form goes through ipaddr.js.
export const familyOf = (ip: string): 4 | 6 => (isIPv4(ip) ? 4 : ipaddr.parse(ip).kind() === 'ipv6' ? 6 : 4);
export const isLiteral = (host: string): boolean => isIPv4(host) || ipaddr.isValid(host);

/** Where a host's address came out: `report` when the failure is to be logged now. */
export interface AddressOutcome { ip: string | null; error: string; report: boolean }

/** A literal `host` in family `fam` (as it is, or canonical; an error for the other family); null for a name. */
export function literalAddress(host: string, fam: 4 | 6): AddressOutcome | null {
  const wrong = { ip: null, error: `not an IPv${fam} address`, report: true };
  if (isIPv4(host)) return fam === 4 ? { ip: host, error: '', report: false } : wrong;
  if (!ipaddr.isValid(host)) return null;
  const addr = ipaddr.parse(host);
  if ((addr.kind() === 'ipv6' ? 6 : 4) !== fam) return wrong;
  // the host string itself when it is already canonical (one string per server, not two)
  const ip = addr.toString();
  return { ip: ip === host ? host : ip, error: '', report: false };
}

/** The address of `host` in family `fam`: a literal as it is (or the wrong family), a name through `lim`. */
export async function addressOf(lim: ResolveLimiter, host: string, fam: 4 | 6): Promise<AddressOutcome> {
  const literal = literalAddress(host, fam);
  if (literal) return literal;
  const r = await lim.lookup(host, fam);
  return { ip: r.ips[0] ?? null, error: r.error ?? '', report: r.report };
}

/** Failed look-ups of one batch: at most `max` logged one by one, then one line counting the rest. */
export function logFailures(log: Logger, service: string, fam: 4 | 6, failed: { host: string; error: string }[], max = 10): void {
  for (const f of failed.slice(0, max)) log.error(`could not resolve to an IPv${fam} address (${f.error}); will retry`, { service, server: f.host });
  const rest = failed.length - max;
  if (rest > 0) log.error(`${rest} more servers could not be resolved (not logged one by one); see /pools/${service}`, { service });
}
