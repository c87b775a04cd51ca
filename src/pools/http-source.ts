import { silentLogger, type Logger } from '../log/logger.js';
import { redactUrl } from '../log/redact.js';
import type { Cancel, Clock } from '../time/clock.js';
import { request, TooLarge } from './http-request.js';
import { checkBytes, formatBytes, limitsWith } from './limits.js';
import { formatOf } from './parse.js';
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
  /** pool-max-servers; default 10000. */
  maxServers?: number;
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
    this.state = new SourceState(url, (opts.logger ?? silentLogger).child({ pool: redactUrl(url) }), limitsWith(opts.maxServers));
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
    const shown = this.state.shown;
    try {
      const res = await request(this.target, {
        headers, timeoutMs: this.opts.timeoutMs ?? 5000, clock: this.opts.clock, signal: this.abort.signal, maxBytes: this.state.limits.maxBytes,
        ...(this.opts.ca ? { ca: this.opts.ca } : {}),
      });
      if (this.stopped) return;
      if (res.status === 304) { this.state.ok(); return; }
      if (res.status !== 200) {
        this.state.alert(`${shown}: HTTP ${res.status}${this.state.keeping()}`);
        return;
      }
      const ctype = String(res.headers['content-type'] ?? '');
      const format = formatOf(this.target.pathname) === 'json' || ctype.includes('application/json') ? 'json' : 'legacy';
      const good = await this.state.applyText(res.body, shown, format, () => !this.stopped);
      // Only a fully good body may be skipped next time; a bad one is fetched (and alerted) again.
      this.etag = good && typeof res.headers.etag === 'string' ? res.headers.etag : null;
      this.modified = good && typeof res.headers['last-modified'] === 'string' ? res.headers['last-modified'] : null;
    } catch (e) {
      if (this.stopped) return;
      if (e instanceof TooLarge) {
        const limit = formatBytes(this.state.limits.maxBytes);
        this.state.refuse(`${shown}: ${e.declared ? checkBytes(e.bytes, this.state.limits) : `pool text is larger than the limit of ${limit} (cut off)`}`);
        return;
      }
      this.state.alert(`${shown}: ${(e as Error).message}${this.state.keeping()}`);
    }
  }
}
