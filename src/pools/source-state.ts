import { formatIssue } from '../config/issues.js';
import type { Logger } from '../log/logger.js';
import { redactText, redactUrl } from '../log/redact.js';
import { isUnreachable } from './etcd-outages.js';
import { checkPoolText, checkServers, DEFAULT_LIMITS, type PoolLimits } from './limits.js';
import { parsePoolSliced, type PoolFormat } from './parse.js';
import { Refusal } from './retry-loop.js';
import type { OnAlert, OnEndpoint, OnRecover, OnUpdate, PoolParseResult, PoolServer } from './types.js';

/** At most this many problems spelled out in one alert; the rest are counted. */
const SHOWN = 5;

/** The first SHOWN items, shown (only those: a text may have 100,000 errors), then a count of the rest. */
function some<T>(items: readonly T[], sep: string, what: string, show: (x: T) => string): string {
  const head = items.slice(0, SHOWN).map(show).join(sep);
  return items.length > SHOWN ? `${head}${sep}and ${items.length - SHOWN} more ${what}` : head;
}

/** Same servers with the same settings, both sorted by host: compared field by field, no copy. */
function sameList(a: PoolServer[], b: PoolServer[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (x.host !== y.host || x.weight !== y.weight || x.enabled !== y.enabled || x.port !== y.port) return false;
  }
  return true;
}

/**
 * What every source shares: the last good list, change detection, the limits, and alerts raised
 * once per distinct problem (not on every poll). Every alert and log line is redacted here.
 */
export class SourceState {
  /** The URL as it may be shown: userinfo and query values hidden. */
  readonly shown: string;
  private current: PoolServer[] | null = null;
  private byHost: Map<string, PoolServer> | null = null;
  private lastAlert = '';
  /** An alert was raised since the last delivered list (the daemon keeps it with that list). */
  private fresh = false;
  private onUpdate: OnUpdate = () => {};
  private onAlert: OnAlert = () => {};
  private onRecover: OnRecover = () => {};
  private onEndpoint: OnEndpoint | null = null;
  /** The endpoint reported unreachable, until it answers again. */
  private unreachableAt: string | null = null;

  constructor(readonly url: string, private readonly log: Logger, readonly limits: PoolLimits = DEFAULT_LIMITS) {
    this.shown = redactUrl(url);
  }

  bind(onUpdate: OnUpdate, onAlert: OnAlert, onRecover: OnRecover = () => {}, onEndpoint?: OnEndpoint): void {
    this.onUpdate = onUpdate;
    this.onAlert = onAlert;
    this.onRecover = onRecover;
    this.onEndpoint = onEndpoint ?? null;
  }

  /**
   * The endpoint did not answer (`message` names the source): the daemon's one outage alert for
   * the endpoint when it listens (etcd-outages.ts), else this source's own alert.
   */
  unreachable(endpoint: string, why: string, message: string): void {
    if (!this.onEndpoint) { this.alert(message); return; }
    this.unreachableAt = endpoint;
    this.onEndpoint(endpoint, this.redact(why));
  }

  /** A watching source's session failed: refused whole, the endpoint unreachable, or its own alert. */
  failed(e: Error, endpoint: string): void {
    const message = `${this.shown}: ${e.message}${this.keeping()}`;
    if (e instanceof Refusal) this.refuse(e.message);
    else if (isUnreachable(e)) this.unreachable(endpoint, e.message, message);
    else this.alert(message);
  }

  /** Connected and watching again after `unreachable`. */
  reachable(): void {
    if (this.unreachableAt === null) return;
    const endpoint = this.unreachableAt;
    this.unreachableAt = null;
    this.onEndpoint?.(endpoint, null);
  }

  last(): PoolServer[] | null { return this.current ? this.current.map((s) => ({ ...s })) : null; }

  /** One host's entry in the last good list (a map built once per list, not a scan per call). */
  lastOf(host: string): PoolServer | undefined {
    if (!this.current) return undefined;
    this.byHost ??= new Map(this.current.map((s) => [s.host, s]));
    const s = this.byHost.get(host);
    return s ? { ...s } : undefined;
  }

  /** `; keeping the previous N servers`, or nothing before the first list. */
  keeping(): string { return this.current ? `; keeping the previous ${this.current.length} servers` : ''; }

  /** A new complete list; delivered only if it differs from the last one. */
  accept(servers: PoolServer[]): void {
    const sorted = [...servers].sort((a, b) => (a.host < b.host ? -1 : a.host > b.host ? 1 : 0));
    if (this.current && sameList(this.current, sorted)) return;
    this.current = sorted;
    this.byHost = null;
    this.log.info('pool updated', { pool: this.shown, servers: sorted.length, enabled: sorted.filter((s) => s.enabled).length });
    // A problem that is still there stays alerted with the list it comes with.
    if (this.lastAlert && !this.fresh) this.onAlert(this.lastAlert);
    this.fresh = false;
    this.onUpdate(this.last()!);
  }

  /** A list over a limit or otherwise unusable: nothing of it applies; the last good list stays. */
  refuse(why: string): void {
    this.alert(`${why}; refused whole${this.current ? `, keeping the previous ${this.current.length} servers` : ', no list yet'}`);
  }

  /**
   * A pool text (file, HTTP body): checked against the limits before any parsing, then parsed
   * in slices (issue 13 §5: the event loop runs between them) and applied. `name` is the file or
   * URL the messages name. True when it applied without problems. Nothing applies when `wanted()`
   * turns false meanwhile (the source was stopped).
   */
  async applyText(text: string, name: string, format: PoolFormat, wanted: () => boolean = () => true): Promise<boolean> {
    const over = checkPoolText(text, format, this.limits);
    if (over) { this.refuse(`${name}: ${over}`); return false; }
    const parsed = await parsePoolSliced(text, name, format);
    return wanted() && this.applyParsed(parsed);
  }

  /**
   * Applies a parsed text: warnings logged, errors alerted; a host named only by bad lines keeps
   * its last good entry; fatal, over pool-max-servers or empty-after-good keeps the last list.
   */
  applyParsed(r: PoolParseResult): boolean {
    // Logged one by one up to SHOWN, then counted: a text of 100,000 odd lines is not 100,000 log lines.
    for (const w of r.warnings.slice(0, SHOWN)) this.log.warn(this.redact(formatIssue(w)), { pool: this.shown });
    if (r.warnings.length > SHOWN) this.log.warn(`${this.shown}: and ${r.warnings.length - SHOWN} more warnings`, { pool: this.shown });
    if (r.fatal) {
      if (r.errors.length) this.alert(some(r.errors, '; ', 'errors', formatIssue));
      return false;
    }
    const servers = [...r.servers];
    const kept: string[] = [];
    for (const h of r.badHosts ?? []) {
      const prev = this.lastOf(h);
      if (prev) { servers.push(prev); kept.push(h); }
    }
    if (r.errors.length) {
      const keptText = kept.length ? `; kept the previous entry of ${some(kept, ', ', 'hosts', String)}` : '';
      this.alert(`${some(r.errors, '; ', 'errors', formatIssue)}${keptText}`);
    }
    return this.offer(servers, r.errors.length === 0) && r.errors.length === 0;
  }

  /** A complete list from any source: refused over pool-max-servers, kept when it turns empty. */
  offer(servers: PoolServer[], clean = true): boolean {
    const over = checkServers(servers.length, this.limits);
    if (over) { this.refuse(`${this.shown}: ${over}`); return false; }
    if (servers.length === 0 && this.current && this.current.length > 0) {
      this.alert(`${this.shown}: no servers in the new list; keeping the previous ${this.current.length}`);
      return false;
    }
    if (clean) this.ok();
    this.accept(servers);
    return true;
  }

  /** The message with every URL in it redacted (the source's own among them). */
  redact(message: string): string {
    return redactText(message);
  }

  alert(message: string): void {
    const shown = this.redact(message);
    if (shown === this.lastAlert) return;
    this.lastAlert = shown;
    this.fresh = true;
    // Not logged here: the consumer logs each alert it hears (once), so a problem is one log line.
    this.onAlert(shown);
  }

  /** The source works again: `onRecover` after an alert; the next identical problem is alerted anew. */
  ok(): void {
    if (!this.lastAlert) return;
    this.log.info('pool source recovered', { pool: this.shown });
    this.lastAlert = '';
    this.fresh = false;
    this.onRecover();
  }
}
