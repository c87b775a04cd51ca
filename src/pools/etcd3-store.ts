/** SharedStore over the etcd v3 JSON gateway (store.ts): range + watch, put/delete, leases. */
import { authenticate, rangePrefix, watchPrefix, type EtcdEndpoint, type EtcdKv } from './etcd-client.js';
import { etcd3Target } from './etcd-source.js';
import { deleteKey, grantLease, keepAlive, putKey, revokeLease } from './etcd-write.js';
import type { FollowHandlers, SharedStore, StoreOptions } from './store-types.js';

export class Etcd3Store implements SharedStore {
  readonly ep: EtcdEndpoint;
  readonly prefix: string;
  readonly endpoint: string;

  constructor(url: string, o: StoreOptions) {
    // etcd3s:// trusts etcd-ca as well as the system store.
    ({ ep: this.ep, prefix: this.prefix } = etcd3Target(url, { clock: o.clock, timeoutMs: o.timeoutMs ?? 5000, ...(o.tls?.ca ? { ca: o.tls.ca } : {}) }));
    this.endpoint = this.ep.base.host;
  }

  private async auth(signal?: AbortSignal): Promise<void> {
    if (this.ep.credentials) this.ep.token = await authenticate(this.ep, signal);
  }

  async follow(dir: string, signal: AbortSignal, h: FollowHandlers): Promise<void> {
    await this.auth(signal);
    const { revision, kvs } = await rangePrefix(this.ep, dir, signal);
    if (signal.aborted) return;
    h.onReset(kvs);
    await watchPrefix(this.ep, dir, revision + 1, { onEvents: (events) => h.onEvents(events) }, signal);
  }

  async read(dir: string, signal?: AbortSignal): Promise<EtcdKv[]> {
    await this.auth(signal);
    return (await rangePrefix(this.ep, dir, signal)).kvs;
  }

  put(key: string, value: string): Promise<void> { return putKey(this.ep, key, value); }
  del(key: string): Promise<void> { return deleteKey(this.ep, key); }
  grant(ttlSeconds: number): Promise<string> { return grantLease(this.ep, ttlSeconds); }
  keepAlive(lease: string): Promise<boolean> { return keepAlive(this.ep, lease); }
  putLeased(key: string, value: string, lease: string): Promise<void> { return putKey(this.ep, key, value, lease); }
  revoke(lease: string, signal?: AbortSignal): Promise<void> { return revokeLease(this.ep, lease, signal); }
}
