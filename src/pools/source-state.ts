import { formatIssue } from '../config/issues.js';
import type { Logger } from '../log/logger.js';
import type { OnAlert, OnRecover, OnUpdate, PoolParseResult, PoolServer } from './types.js';

/**
 * What every source shares: the last good list, change detection, and alerts raised once per
 * distinct problem (not on every poll).
 */
export class SourceState {
  private current: PoolServer[] | null = null;
  private key = '';
  private lastAlert = '';
  private onUpdate: OnUpdate = () => {};
  private onAlert: OnAlert = () => {};
  private onRecover: OnRecover = () => {};

  constructor(readonly url: string, private readonly log: Logger) {}

  bind(onUpdate: OnUpdate, onAlert: OnAlert, onRecover: OnRecover = () => {}): void {
    this.onUpdate = onUpdate;
    this.onAlert = onAlert;
    this.onRecover = onRecover;
  }

  last(): PoolServer[] | null { return this.current ? this.current.map((s) => ({ ...s })) : null; }

  /** A new complete list; delivered only if it differs from the last one. */
  accept(servers: PoolServer[]): void {
    const sorted = [...servers].sort((a, b) => (a.host < b.host ? -1 : a.host > b.host ? 1 : 0));
    const key = JSON.stringify(sorted);
    if (this.current && key === this.key) return;
    this.current = sorted;
    this.key = key;
    this.log.info('pool updated', { pool: this.url, servers: sorted.length, enabled: sorted.filter((s) => s.enabled).length });
    this.onUpdate(this.last()!);
  }

  /** Applies a parsed text: warnings logged, errors alerted, fatal or empty-after-errors keeps the last list. */
  applyParsed(r: PoolParseResult): void {
    for (const w of r.warnings) this.log.warn(formatIssue(w), { pool: this.url });
    if (r.errors.length) this.alert(r.errors.map(formatIssue).join('; '));
    if (r.fatal) return;
    if (r.servers.length === 0 && this.current && this.current.length > 0) {
      this.alert(`${this.url}: no servers in the new list; keeping the previous ${this.current.length}`);
      return;
    }
    if (!r.errors.length) this.ok();
    this.accept(r.servers);
  }

  alert(message: string): void {
    if (message === this.lastAlert) return;
    this.lastAlert = message;
    this.log.warn(message, { pool: this.url });
    this.onAlert(message);
  }

  /** The source works again: `onRecover` after an alert; the next identical problem is alerted anew. */
  ok(): void {
    if (!this.lastAlert) return;
    this.log.info('pool source recovered', { pool: this.url });
    this.lastAlert = '';
    this.onRecover();
  }
}
