import { silentLogger, type Logger } from '../log/logger.js';
import type { Cancel, Clock } from '../time/clock.js';
import { rangePrefix, watchPrefix, type EtcdEndpoint, type EtcdEvent, type EtcdKv } from './etcd-client.js';
import { SourceState } from './source-state.js';
import type { OnAlert, OnRecover, OnUpdate, PoolServer, PoolSource } from './types.js';

export interface EtcdSourceOptions {
  clock: Clock;
  logger?: Logger;
  /** Timeout of a range request and of the watch's first response, ms; default 5000. */
  timeoutMs?: number;
  /** Reconnect backoff, ms: doubles from min to max; defaults 100 and 5000. */
  backoffMinMs?: number;
  backoffMaxMs?: number;
  /** Extra trusted CA (PEM) for etcds://. */
  ca?: string | Buffer;
}

/**
 * etcd://host:port/prefix (plain HTTP) or etcds://host:port/prefix (TLS, verified): the conftool
 * layout, one key per host under the prefix, value {"pooled": "yes"|"no"|"inactive", "weight": N}.
 * A full read, then a watch from the next revision; any failure: alert, back off, read again.
 */
export class EtcdSource implements PoolSource {
  private readonly state: SourceState;
  private readonly ep: EtcdEndpoint;
  private readonly prefix: string;
  private servers = new Map<string, PoolServer>();
  /** Keys whose current value is bad; the source has recovered only when none is left. */
  private badKeys = new Set<string>();
  private abort = new AbortController();
  private cancelRetry: Cancel | null = null;
  private loop: Promise<void> | null = null;
  private backoff: number;
  private stopped = false;

  constructor(readonly url: string, private readonly opts: EtcdSourceOptions) {
    const u = new URL(url);
    if (u.protocol !== 'etcd:' && u.protocol !== 'etcds:') throw new Error(`${url}: not an etcd:// or etcds:// URL`);
    const scheme = u.protocol === 'etcds:' ? 'https' : 'http';
    this.ep = {
      base: new URL(`${scheme}://${u.port ? u.host : `${u.host}:2379`}`),
      clock: opts.clock, timeoutMs: opts.timeoutMs ?? 5000, ...(opts.ca ? { ca: opts.ca } : {}),
    };
    this.prefix = decodeURIComponent(u.pathname).replace(/\/*$/, '/');
    this.backoff = opts.backoffMinMs ?? 100;
    this.state = new SourceState(url, (opts.logger ?? silentLogger).child({ pool: url }));
  }

  start(onUpdate: OnUpdate, onAlert: OnAlert, onRecover?: OnRecover): void {
    this.state.bind(onUpdate, onAlert, onRecover);
    this.run();
  }

  last(): PoolServer[] | null { return this.state.last(); }

  async stop(): Promise<void> {
    this.stopped = true;
    this.cancelRetry?.();
    this.abort.abort();
    await this.loop;
  }

  private run(): void {
    if (this.stopped) return;
    this.abort = new AbortController();
    this.loop = this.session(this.abort.signal).catch((e: unknown) => {
      if (this.stopped) return;
      const keep = this.state.last();
      this.state.alert(`${this.url}: ${(e as Error).message}${keep ? `; keeping the previous ${keep.length} servers` : ''}`);
      const delay = this.backoff;
      this.backoff = Math.min(this.backoff * 2, this.opts.backoffMaxMs ?? 5000);
      this.cancelRetry = this.opts.clock.setTimer(delay, () => this.run());
    });
  }

  private async session(signal: AbortSignal): Promise<void> {
    const { revision, kvs } = await rangePrefix(this.ep, this.prefix, signal);
    const next = new Map<string, PoolServer>();
    this.badKeys.clear();
    for (const kv of kvs) this.put(next, kv);
    this.servers = next;
    this.state.accept([...next.values()]);
    await watchPrefix(this.ep, this.prefix, revision + 1, {
      onCreated: () => { this.backoff = this.opts.backoffMinMs ?? 100; this.recoverIfClean(); },
      onEvents: (events) => this.apply(events),
    }, signal);
  }

  private apply(events: EtcdEvent[]): void {
    for (const e of events) {
      if (e.type === 'put') this.put(this.servers, e.kv);
      else {
        this.badKeys.delete(e.key);
        const host = this.hostOf(e.key);
        if (host) this.servers.delete(host);
      }
    }
    this.state.accept([...this.servers.values()]);
    this.recoverIfClean();
  }

  /** Connected and watching: the alert clears once no key holds a bad value any more. */
  private recoverIfClean(): void {
    if (this.badKeys.size === 0) this.state.ok();
  }

  private hostOf(key: string): string | null {
    const rest = key.slice(this.prefix.length);
    return rest && !rest.includes('/') ? rest : null;
  }

  /** Applies one conftool value; a bad value is alerted and leaves that host as it was. */
  private put(into: Map<string, PoolServer>, kv: EtcdKv): void {
    const host = this.hostOf(kv.key);
    if (!host) return;
    this.badKeys.delete(kv.key);
    const bad = (why: string): void => {
      this.badKeys.add(kv.key);
      this.state.alert(`${this.url}: key ${kv.key}: ${why}, got ${JSON.stringify(kv.value)}; ${host} left as it was`);
      const before = this.servers.get(host);
      if (before) into.set(host, before);
    };
    let v: { pooled?: unknown; weight?: unknown };
    try { v = JSON.parse(kv.value) as typeof v; } catch { bad('value is not JSON'); return; }
    if (typeof v !== 'object' || v === null) { bad('value must be an object {"pooled": ..., "weight": N}'); return; }
    if (v.pooled === 'inactive') { into.delete(host); return; }
    if (v.pooled !== 'yes' && v.pooled !== 'no') { bad('pooled must be "yes", "no" or "inactive"'); return; }
    const weight = v.weight ?? 10;
    if (typeof weight !== 'number' || !Number.isInteger(weight) || weight < 0 || weight > 65535) { bad('weight must be an integer 0-65535'); return; }
    into.set(host, { host, weight, enabled: v.pooled === 'yes' });
  }
}
