import { silentLogger, type Logger } from '../log/logger.js';
import { redactUrl } from '../log/redact.js';
import type { Clock } from '../time/clock.js';
import { conftoolEntry, quoteValue } from './conftool.js';
import { readDir, watchDir, type Etcd2Endpoint } from './etcd2-client.js';
import { Etcd2Cluster } from './etcd2-cluster.js';
import type { V2Change, V2Value } from './etcd2-parse.js';
import { limitsWith } from './limits.js';
import { Refusal, RetryLoop } from './retry-loop.js';
import { overItems, runSliced } from './sliced.js';
import { SourceState } from './source-state.js';
import type { OnAlert, OnEndpoint, OnRecover, OnUpdate, PoolServer, PoolSource } from './types.js';

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
  private readonly cluster: Etcd2Cluster;
  private readonly log: Logger;
  private servers = new Map<string, PoolServer>();
  private badKeys = new Set<string>();
  /** Next waitIndex; null = read the whole directory first. */
  private waitIndex: number | null = null;
  private readonly loop: RetryLoop;

  constructor(readonly url: string, private readonly opts: Etcd2SourceOptions) {
    this.log = (opts.logger ?? silentLogger).child({ pool: redactUrl(url) });
    this.cluster = new Etcd2Cluster(url, { ...opts, logger: this.log });
    this.state = new SourceState(url, this.log, limitsWith(opts.maxServers));
    this.loop = new RetryLoop(opts, (signal) => this.cluster.each(signal, (ep, answered) => this.follow(ep, signal, answered)),
      (e) => this.state.failed(e, this.cluster.text));
  }

  start(onUpdate: OnUpdate, onAlert: OnAlert, onRecover?: OnRecover, onEndpoint?: OnEndpoint): void {
    this.state.bind(onUpdate, onAlert, onRecover, onEndpoint);
    if (this.opts.insecure) this.log.warn(`${this.state.shown}: etcd-insecure: the etcd server certificate is not verified (PyBal's behaviour)`);
    this.loop.start();
  }

  last(): PoolServer[] | null { return this.state.last(); }

  stop(): Promise<void> { return this.loop.stop(); }

  /** Reads (when needed) and follows the directory on one endpoint until something fails. */
  private async follow(ep: Etcd2Endpoint, signal: AbortSignal, onAnswer: () => void): Promise<never> {
    const renew = this.opts.watchRenewMs ?? 60_000;
    let delivered = true;
    for (;;) {
      if (this.waitIndex === null) {
        const r = await readDir(this.cluster.conn, ep, this.cluster.target.dir, signal);
        if (!r.ok) throw new Error(r.error);
        onAnswer();
        delivered = await this.load(r.values);
        this.waitIndex = r.index + 1;
      }
      let began: number | null = null;
      const w = await watchDir(this.cluster.conn, ep, this.cluster.target.dir, this.waitIndex, signal, renew, (etcdIndex) => {
        began = etcdIndex;
        onAnswer();
        this.loop.connected();
        this.state.reachable();
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
        this.log.info(`etcd event history passed index ${this.waitIndex} (${w.message}); reading ${this.cluster.target.dir} again`);
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
    // Refused whole and read again after the longest back-off, as etcd3:// does.
    if (values.length > max) throw new Refusal(`${this.state.shown}: more than pool-max-servers ${max} keys under ${this.cluster.target.dir}`);
    const next = new Map<string, PoolServer>();
    this.badKeys.clear();
    // In slices: 10,000 keys never block the event loop for long (issue 13 §5).
    await runSliced(overItems(values.length, (i) => this.put(next, values[i]!)));
    this.servers = next;
    return this.state.offer([...this.servers.values()], false);
  }

  private apply(c: V2Change): boolean {
    if (c.kind === 'put') this.put(this.servers, c.v);
    else if (c.kind === 'remove') { this.servers.delete(c.host); this.badKeys.delete(`${this.cluster.target.dir}/${c.host}`); }
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
