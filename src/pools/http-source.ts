import { silentLogger, type Logger } from '../log/logger.js';
import type { Cancel, Clock } from '../time/clock.js';
import { request } from './http-request.js';
import { formatOf, parsePool } from './parse.js';
import { SourceState } from './source-state.js';
import type { OnAlert, OnRecover, OnUpdate, PoolServer, PoolSource } from './types.js';

export interface HttpSourceOptions {
  clock: Clock;
  logger?: Logger;
  /** Between the end of one fetch and the next, ms; default 1000 (PyBal's). */
  intervalMs?: number;
  /** Whole-request timeout, ms; default 5000. */
  timeoutMs?: number;
  ca?: string | Buffer;
}

/** http(s):// — polled with conditional GET (ETag / Last-Modified); same formats as files. */
export class HttpSource implements PoolSource {
  private readonly state: SourceState;
  private readonly target: URL;
  private etag: string | null = null;
  private modified: string | null = null;
  private cancel: Cancel | null = null;
  private inflight: Promise<void> | null = null;
  private readonly abort = new AbortController();
  private stopped = false;

  constructor(readonly url: string, private readonly opts: HttpSourceOptions) {
    this.target = new URL(url);
    this.state = new SourceState(url, (opts.logger ?? silentLogger).child({ pool: url }));
  }

  start(onUpdate: OnUpdate, onAlert: OnAlert, onRecover?: OnRecover): void {
    this.state.bind(onUpdate, onAlert, onRecover);
    this.tick();
  }

  last(): PoolServer[] | null { return this.state.last(); }

  async stop(): Promise<void> {
    this.stopped = true;
    this.cancel?.();
    this.abort.abort();
    await this.inflight;
  }

  private tick(): void {
    if (this.stopped) return;
    this.inflight = this.fetch().finally(() => {
      this.inflight = null;
      if (!this.stopped) this.cancel = this.opts.clock.setTimer(this.opts.intervalMs ?? 1000, () => this.tick());
    });
  }

  private async fetch(): Promise<void> {
    const headers: Record<string, string> = {};
    if (this.etag) headers['if-none-match'] = this.etag;
    if (this.modified) headers['if-modified-since'] = this.modified;
    const keep = (): string => { const l = this.state.last(); return l ? `; keeping the previous ${l.length} servers` : ''; };
    try {
      const res = await request(this.target, {
        headers, timeoutMs: this.opts.timeoutMs ?? 5000, clock: this.opts.clock, signal: this.abort.signal,
        ...(this.opts.ca ? { ca: this.opts.ca } : {}),
      });
      if (this.stopped) return;
      if (res.status === 304) { this.state.ok(); return; }
      if (res.status !== 200) {
        this.state.alert(`${this.url}: HTTP ${res.status}${keep()}`);
        return;
      }
      const ctype = String(res.headers['content-type'] ?? '');
      const format = formatOf(this.target.pathname) === 'json' || ctype.includes('application/json') ? 'json' : 'legacy';
      const r = parsePool(res.body, this.url, format);
      this.state.applyParsed(r);
      // Only a fully good body may be skipped next time; a bad one is fetched (and alerted) again.
      const good = !r.fatal && r.errors.length === 0;
      this.etag = good && typeof res.headers.etag === 'string' ? res.headers.etag : null;
      this.modified = good && typeof res.headers['last-modified'] === 'string' ? res.headers['last-modified'] : null;
    } catch (e) {
      if (this.stopped) return;
      this.state.alert(`${this.url}: ${(e as Error).message}${keep()}`);
    }
  }
}
