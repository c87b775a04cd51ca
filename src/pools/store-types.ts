/** The SharedStore interface (store.ts): a site's shared keys in etcd over either transport. */
import type { Clock } from '../time/clock.js';
import type { EtcdEvent, EtcdKv } from './etcd-client.js';

export interface FollowHandlers {
  /** A full read of the directory: everything under it now (again after a v2 history gap). */
  onReset(kvs: EtcdKv[]): void;
  onEvents(events: EtcdEvent[]): void;
}

export interface SharedStore {
  /** The prefix from the URL, one trailing slash. */
  readonly prefix: string;
  /** How alerts name the endpoint (`host:port`, a comma list, or an SRV name). */
  readonly endpoint: string;
  /** A full read of `dir`, then its changes, until something fails (rejects) or `signal` aborts. */
  follow(dir: string, signal: AbortSignal, h: FollowHandlers): Promise<void>;
  /** Every key under `dir` now. */
  read(dir: string, signal?: AbortSignal): Promise<EtcdKv[]>;
  put(key: string, value: string): Promise<void>;
  del(key: string): Promise<void>;
  /** A key that lives `ttlSeconds` unless kept alive (a v3 lease; a v2 TTL). Returns its handle. */
  grant(ttlSeconds: number): Promise<string>;
  /** false when the lease (or the v2 key) has ended. */
  keepAlive(lease: string): Promise<boolean>;
  putLeased(key: string, value: string, lease: string): Promise<void>;
  revoke(lease: string, signal?: AbortSignal): Promise<void>;
}

export interface StoreTls { ca?: string | Buffer; cert?: string | Buffer; key?: string | Buffer; insecure?: boolean }

export interface StoreOptions { clock: Clock; timeoutMs?: number; tls?: StoreTls }
