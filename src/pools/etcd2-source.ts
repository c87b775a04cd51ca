import { parseEtcdV2Url, type EtcdV2Target } from '../config/etcd-url.js';
import { silentLogger, type Logger } from '../log/logger.js';
import { redactUrl } from '../log/redact.js';
import type { Cancel, Clock } from '../time/clock.js';
import { conftoolEntry, quoteValue } from './conftool.js';
import { endpointText, makeResolver, readDir, watchDir, type Etcd2Conn, type Etcd2Endpoint } from './etcd2-client.js';
import { orderSrv, type V2Change, type V2Value } from './etcd2-parse.js';
import { basicAuthHeader } from './http-request.js';
import { limitsWith } from './limits.js';
import { overItems, runSliced } from './sliced.js';
import { SourceState } from './source-state.js';
import type { OnAlert, OnRecover, OnUpdate, PoolServer, PoolSource } from './types.js';

export interface Etcd2SourceOptions {
  clock: Clock;
  logger?: Logger;
  /** Timeout of a read and of a watch's first response, ms; default 5000. */
  timeoutMs?: number;
  /** A watch with no change is asked again after this long, ms; default 60000. */
  watchRenewMs?: number;
  /** Reconnect backoff, ms: doubles from min to max; defaults 100 and 5000. */
  backoffMinMs?: number;
  backoffMaxMs?: number;
  /** Extra trusted CA (PEM); the system store and NODE_EXTRA_CA_CERTS are always trusted. */
  ca?: string | Buffer;
  /** Client certificate and key (PEM). */
  cert?: string | Buffer;
  key?: string | Buffer;
  /** etcd-insecure: no certificate verification (PyBal's behaviour), warned at start. */
  insecure?: boolean;
  /** DNS servers for SRV discovery and its targets (`127.0.0.1:5353`); default the system's. */
  dnsServers?: string[];
  maxServers?: number;
}

/**
 * etcd://host[:port][,host...]/dir/ or etcd://_etcd-client-ssl._tcp.DOMAIN/dir/: conftool's pools
 * in the etcd v2 keyspace over TLS, as PyBal reads them (PYBAL.md §2.3). A recursive read, then
 * long polls from X-Etcd-Index + 1; a lost connection resumes the watch at the same index on the
 * next endpoint (etcd v2 indexes are cluster-wide); errorCode 401 reads the directory again.
 */
export class Etcd2Source implements PoolSource {
  private readonly state: SourceState;
  private readonly target: EtcdV2Target;
  private readonly conn: Etcd2Conn;
  private readonly resolver: ReturnType<typeof makeResolver>;
  private readonly log: Logger;
  private servers = new Map<string, PoolServer>();
  private badKeys = new Set<string>();
  /** Next waitIndex; null = read the whole directory first. */
  private waitIndex: number | null = null;
  private endpoints: Etcd2Endpoint[] = [];
  /** The endpoint that answered last: tried first. */
  private preferred = 0;
  private abort = new AbortController();
  private cancelRetry: Cancel | null = null;
  private loop: Promise<void> | null = null;
  private backoff: number;
  private stopped = false;

  constructor(readonly url: string, private readonly opts: Etcd2SourceOptions) {
    try { this.target = parseEtcdV2Url(url); } catch (e) { throw new Error(`${redactUrl(url)}: ${(e as Error).message}`); }
    this.resolver = makeResolver(opts.dnsServers);
    const c = this.target.credentials;
    this.conn = {
      clock: opts.clock, timeoutMs: opts.timeoutMs ?? 5000,
      ...(opts.ca ? { ca: opts.ca } : {}), ...(opts.cert ? { cert: opts.cert } : {}), ...(opts.key ? { key: opts.key } : {}),
      ...(opts.insecure ? { insecure: true } : {}), ...(c ? { authorization: basicAuthHeader(c.user, c.password) } : {}),
      ...(this.resolver.lookup ? { lookup: this.resolver.lookup } : {}),
    };
    this.endpoints = this.target.endpoints;
    this.backoff = opts.backoffMinMs ?? 100;
    this.log = (opts.logger ?? silentLogger).child({ pool: redactUrl(url) });
    this.state = new SourceState(url, this.log, limitsWith(opts.maxServers));
  }

  start(onUpdate: OnUpdate, onAlert: OnAlert, onRecover?: OnRecover): void {
    this.state.bind(onUpdate, onAlert, onRecover);
    if (this.opts.insecure) this.log.warn(`${this.state.shown}: etcd-insecure: the etcd server certificate is not verified (PyBal's behaviour)`);
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
      this.state.alert(`${this.state.shown}: ${(e as Error).message}${this.state.keeping()}`);
      const delay = this.backoff;
      this.backoff = Math.min(this.backoff * 2, this.opts.backoffMaxMs ?? 5000);
      this.cancelRetry = this.opts.clock.setTimer(delay, () => this.run());
    });
  }

  /** Each endpoint once, the last good one first; rejects with every endpoint's reason. */
  private async session(signal: AbortSignal): Promise<void> {
    const eps = await this.resolve();
    const failures: string[] = [];
    for (let i = 0; i < eps.length; i++) {
      const at = (this.preferred + i) % eps.length;
      try {
        await this.follow(eps[at]!, signal, () => { this.preferred = at; });
      } catch (e) {
        if (signal.aborted) throw e;
        failures.push(`${endpointText(eps[at]!)}: ${(e as Error).message}`);
      }
    }
    throw new Error(failures.join('; '));
  }

  /** The fixed endpoints, or the SRV name's targets in RFC 2782 order (the last ones on a DNS failure). */
  private async resolve(): Promise<Etcd2Endpoint[]> {
    if (!this.target.srv) return this.endpoints;
    try {
      const recs = await this.resolver.srv(this.target.srv);
      if (!recs.length) throw new Error('no records');
      this.endpoints = orderSrv(recs).map((r) => ({ host: r.name, port: r.port }));
      this.preferred = 0;
    } catch (e) {
      if (!this.endpoints.length) throw new Error(`DNS SRV ${this.target.srv}: ${(e as Error).message}`);
      this.log.warn(`DNS SRV ${this.target.srv}: ${(e as Error).message}; using the endpoints found before`);
    }
    return this.endpoints;
  }

  /** Reads (when needed) and follows the directory on one endpoint until something fails. */
  private async follow(ep: Etcd2Endpoint, signal: AbortSignal, onAnswer: () => void): Promise<never> {
    const renew = this.opts.watchRenewMs ?? 60_000;
    let delivered = true;
    for (;;) {
      if (this.waitIndex === null) {
        const r = await readDir(this.conn, ep, this.target.dir, signal);
        if (!r.ok) throw new Error(r.error);
        onAnswer();
        delivered = await this.load(r.values);
        this.waitIndex = r.index + 1;
      }
      let began: number | null = null;
      const w = await watchDir(this.conn, ep, this.target.dir, this.waitIndex, signal, renew, (etcdIndex) => {
        began = etcdIndex;
        onAnswer();
        this.backoff = this.opts.backoffMinMs ?? 100;
        if (delivered) this.recoverIfClean();
      });
      if (w === null) {
        // Nothing under the directory up to the index the watch began at: ask from after it, so
        // a quiet pool on a busy etcd does not fall out of etcd's 1000-event history.
        if (began !== null && began + 1 > this.waitIndex) this.waitIndex = began + 1;
        continue;
      }
      if (w.kind === 'error') throw new Error(w.error);
      if (w.kind === 'outdated') {
        this.log.info(`etcd event history passed index ${this.waitIndex} (${w.message}); reading ${this.target.dir} again`);
        this.waitIndex = null;
        continue;
      }
      this.waitIndex = w.modifiedIndex + 1;
      if (w.change.kind !== 'ignore') delivered = this.apply(w.change);
    }
  }

  /** A whole directory: replaces the map. */
  private async load(values: V2Value[]): Promise<boolean> {
    const max = this.state.limits.maxServers;
    if (values.length > max) {
      this.state.refuse(`${this.state.shown}: more than pool-max-servers ${max} keys under ${this.target.dir}`);
      return false;
    }
    const next = new Map<string, PoolServer>();
    this.badKeys.clear();
    // In slices: 10,000 keys never block the event loop for long (issue 13 §5).
    await runSliced(overItems(values.length, (i) => this.put(next, values[i]!)));
    this.servers = next;
    return this.state.offer([...this.servers.values()], false);
  }

  private apply(c: V2Change): boolean {
    if (c.kind === 'put') this.put(this.servers, c.v);
    else if (c.kind === 'remove') { this.servers.delete(c.host); this.badKeys.delete(`${this.target.dir}/${c.host}`); }
    else if (c.kind === 'clear') { this.servers.clear(); this.badKeys.clear(); }
    const delivered = this.state.offer([...this.servers.values()], false);
    if (delivered) this.recoverIfClean();
    return delivered;
  }

  private recoverIfClean(): void {
    if (this.badKeys.size === 0) this.state.ok();
  }

  /** One conftool value; a bad one is alerted and leaves that host as it was. */
  private put(into: Map<string, PoolServer>, v: V2Value): void {
    this.badKeys.delete(v.key);
    const e = conftoolEntry(v.host, v.value);
    if (e.kind === 'server') into.set(v.host, e.server);
    else if (e.kind === 'absent') into.delete(v.host);
    else {
      this.badKeys.add(v.key);
      this.state.alert(`${this.state.shown}: key ${v.key}: ${e.why}, got ${quoteValue(v.value)}; ${v.host} left as it was`);
      const before = this.servers.get(v.host) ?? this.state.lastOf(v.host);
      if (before) into.set(v.host, before);
    }
  }
}
