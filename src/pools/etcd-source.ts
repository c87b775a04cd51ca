import { silentLogger, type Logger } from '../log/logger.js';
import { redactUrl } from '../log/redact.js';
import type { Clock } from '../time/clock.js';
import { authenticate, rangePrefix, watchPrefix, type EtcdEndpoint, type EtcdEvent, type EtcdKv } from './etcd-client.js';
import { conftoolEntry, quoteValue } from './conftool.js';
import { limitsWith } from './limits.js';
import { Refusal, RetryLoop } from './retry-loop.js';
import { overItems, runSliced } from './sliced.js';
import { SourceState } from './source-state.js';
import type { OnAlert, OnEndpoint, OnRecover, OnUpdate, PoolServer, PoolSource } from './types.js';

export interface EtcdSourceOptions {
  clock: Clock;
  logger?: Logger;
  /** Timeout of a range request and of the watch's first response, ms; default 5000. */
  timeoutMs?: number;
  /** Reconnect backoff, ms: doubles from min to max; defaults 100 and 5000. */
  backoffMinMs?: number;
  backoffMaxMs?: number;
  /** Extra trusted CA (PEM) for etcd3s://. */
  ca?: string | Buffer;
  /** pool-max-servers; default 10000. */
  maxServers?: number;
}

/** `user:password@` of an etcd URL: used for etcd v3 auth; a user without a password is refused. */
export function etcdCredentials(u: URL): { user: string; password: string } | undefined {
  if (!u.username && !u.password) return undefined;
  if (!u.username || !u.password) {
    throw new Error(`${redactUrl(u.href)}: etcd credentials need both a user and a password (etcd3://user:password@host:2379/prefix)`);
  }
  return { user: decodeURIComponent(u.username), password: decodeURIComponent(u.password) };
}

/** An etcd3:// or etcd3s:// URL → the gateway endpoint and the key prefix (one trailing slash). */
export function etcd3Target(url: string, opts: { clock: Clock; timeoutMs?: number; ca?: string | Buffer }): { ep: EtcdEndpoint; prefix: string } {
  const u = new URL(url);
  if (u.protocol !== 'etcd3:' && u.protocol !== 'etcd3s:') throw new Error(`${redactUrl(url)}: not an etcd3:// or etcd3s:// URL`);
  const scheme = u.protocol === 'etcd3s:' ? 'https' : 'http';
  const credentials = etcdCredentials(u);
  const ep: EtcdEndpoint = {
    base: new URL(`${scheme}://${u.port ? u.host : `${u.host}:2379`}`),
    clock: opts.clock, timeoutMs: opts.timeoutMs ?? 5000, ...(opts.ca ? { ca: opts.ca } : {}), ...(credentials ? { credentials } : {}),
  };
  return { ep, prefix: decodeURIComponent(u.pathname).replace(/\/*$/, '/') };
}

/**
 * etcd3://host:port/prefix (plain HTTP) or etcd3s://host:port/prefix (TLS, verified): the conftool
 * layout, one key per host under the prefix, value {"pooled": "yes"|"no"|"inactive", "weight": N}.
 * A full read, then a watch from the next revision; any failure: alert, back off, read again.
 * `user:password@` in the URL authenticates (etcd v3 auth) before each read. A prefix that
 * empties keeps the last good list (alerted); a bad value keeps that key's last good server.
 */
export class EtcdSource implements PoolSource {
  private readonly state: SourceState;
  private readonly ep: EtcdEndpoint;
  private readonly prefix: string;
  private servers = new Map<string, PoolServer>();
  /** Keys whose current value is bad; the source has recovered only when none is left. */
  private badKeys = new Set<string>();
  private readonly loop: RetryLoop;

  constructor(readonly url: string, private readonly opts: EtcdSourceOptions) {
    ({ ep: this.ep, prefix: this.prefix } = etcd3Target(url, opts));
    this.state = new SourceState(url, (opts.logger ?? silentLogger).child({ pool: redactUrl(url) }), limitsWith(opts.maxServers));
    this.loop = new RetryLoop(opts, (signal) => this.session(signal), (e) => this.state.failed(e, this.ep.base.host));
  }

  start(onUpdate: OnUpdate, onAlert: OnAlert, onRecover?: OnRecover, onEndpoint?: OnEndpoint): void {
    this.state.bind(onUpdate, onAlert, onRecover, onEndpoint);
    this.loop.start();
  }

  last(): PoolServer[] | null { return this.state.last(); }

  stop(): Promise<void> { return this.loop.stop(); }

  private async session(signal: AbortSignal): Promise<void> {
    if (this.ep.credentials) this.ep.token = await authenticate(this.ep, signal);
    const max = this.state.limits.maxServers;
    const { revision, kvs, more } = await rangePrefix(this.ep, this.prefix, signal, max + 1);
    if (more || kvs.length > max) throw new Refusal(`${this.state.shown}: more than pool-max-servers ${max} keys under ${this.prefix}`);
    const next = new Map<string, PoolServer>();
    this.badKeys.clear();
    // In slices: 10,000 keys never block the event loop for long (issue 13 §5).
    await runSliced(overItems(kvs.length, (i) => this.put(next, kvs[i]!)));
    if (signal.aborted) return;
    this.servers = next;
    let delivered = this.deliver();
    await watchPrefix(this.ep, this.prefix, revision + 1, {
      onCreated: () => { this.loop.connected(); this.state.reachable(); if (delivered) this.recoverIfClean(); },
      onEvents: (events) => { delivered = this.apply(events); },
    }, signal);
  }

  /** The current map as a list: refused over pool-max-servers, kept (alerted) when it empties. */
  private deliver(): boolean {
    return this.state.offer([...this.servers.values()], false);
  }

  private apply(events: EtcdEvent[]): boolean {
    for (const e of events) {
      if (e.type === 'put') this.put(this.servers, e.kv);
      else {
        this.badKeys.delete(e.key);
        const host = this.hostOf(e.key);
        if (host) this.servers.delete(host);
      }
    }
    const delivered = this.deliver();
    if (delivered) this.recoverIfClean();
    return delivered;
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
    const e = conftoolEntry(host, kv.value);
    if (e.kind === 'server') into.set(host, e.server);
    else if (e.kind === 'absent') into.delete(host);
    else {
      this.badKeys.add(kv.key);
      this.state.alert(`${this.state.shown}: key ${kv.key}: ${e.why}, got ${quoteValue(kv.value)}; ${host} left as it was`);
      const before = this.servers.get(host) ?? this.state.lastOf(host);
      if (before) into.set(host, before);
    }
  }
}
