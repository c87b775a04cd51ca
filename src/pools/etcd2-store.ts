/**
 * SharedStore over the etcd v2 keys API (store.ts), as conftool's etcd serves it: a recursive
 * read then long polls from X-Etcd-Index + 1 (errorCode 401: read again, PYBAL.md §2.3); writes
 * with PUT/DELETE; a registration is a key with a TTL, refreshed in place (`refresh=true`, etcd
 * v2's keys API) in place of a v3 lease.
 */
import type { EtcdKv } from './etcd-client.js';
import { readKeys, watchKeys, writeKey, type Etcd2Endpoint } from './etcd2-client.js';
import { Etcd2Cluster } from './etcd2-cluster.js';
import { json, KEY_NOT_FOUND, describe } from './etcd2-parse.js';
import { parseV2Tree, parseV2TreeWatch } from './etcd2-tree.js';
import type { FollowHandlers, SharedStore, StoreOptions } from './store-types.js';

/** A quiet watch is asked again after this long (a silently dead member is noticed). */
const RENEW_MS = 60_000;

export class Etcd2Store implements SharedStore {
  readonly prefix: string;
  readonly endpoint: string;
  private readonly cluster: Etcd2Cluster;
  /** v2 "leases": a TTL and the key written under it. */
  private readonly leases = new Map<string, { ttl: number; key: string | null }>();
  private nextLease = 1;

  constructor(url: string, o: StoreOptions) {
    this.cluster = new Etcd2Cluster(url, { clock: o.clock, ...(o.timeoutMs ? { timeoutMs: o.timeoutMs } : {}), ...(o.tls ?? {}) });
    this.prefix = `${this.cluster.target.dir}/`;
    this.endpoint = this.cluster.text;
  }

  private dirOf(dir: string): string { return dir.replace(/\/+$/, ''); }

  follow(dir: string, signal: AbortSignal, h: FollowHandlers): Promise<void> {
    const d = this.dirOf(dir);
    let waitIndex: number | null = null;
    return this.cluster.each(signal, async (ep, answered) => {
      for (;;) {
        if (waitIndex === null) {
          const r = await readKeys(this.cluster.conn, ep, d, signal, parseV2Tree);
          if (!r.ok) throw new Error(r.error);
          answered();
          if (signal.aborted) return;
          h.onReset(r.kvs);
          waitIndex = r.index + 1;
        }
        let began: number | null = null;
        const w = await watchKeys(this.cluster.conn, ep, d, waitIndex, signal, RENEW_MS, (i) => { began = i; }, parseV2TreeWatch);
        if (w === null) {
          // A quiet directory on a busy etcd: ask from where the watch began, inside the 1000-event history.
          if (began !== null && began + 1 > waitIndex) waitIndex = began + 1;
          continue;
        }
        if (w.kind === 'error') throw new Error(w.error);
        if (w.kind === 'outdated') { waitIndex = null; continue; }
        waitIndex = w.modifiedIndex + 1;
        if (w.events.length) h.onEvents(w.events);
      }
    });
  }

  read(dir: string, signal: AbortSignal = new AbortController().signal): Promise<EtcdKv[]> {
    return this.cluster.each(signal, async (ep, answered) => {
      const r = await readKeys(this.cluster.conn, ep, this.dirOf(dir), signal, parseV2Tree);
      if (!r.ok) throw new Error(r.error);
      answered();
      return r.kvs;
    });
  }

  /** One write on the first endpoint that takes it; `missing` answers for errorCode 100 (key not found). */
  private write(method: 'PUT' | 'DELETE', key: string, form: Record<string, string>, missing?: boolean): Promise<boolean> {
    const signal = new AbortController().signal;
    return this.cluster.each(signal, async (ep: Etcd2Endpoint, answered) => {
      const r = await writeKey(this.cluster.conn, ep, method, key, form, signal);
      const j = json(r.body);
      if (missing !== undefined && r.status === 404 && j?.errorCode === KEY_NOT_FOUND) { answered(); return missing; }
      if (r.status !== 200 && r.status !== 201) throw new Error(describe(r.status, j));
      answered();
      return true;
    });
  }

  async put(key: string, value: string): Promise<void> { await this.write('PUT', key, { value }); }
  async del(key: string): Promise<void> { await this.write('DELETE', key, {}, true); }

  grant(ttlSeconds: number): Promise<string> {
    const id = `v2-ttl-${this.nextLease++}`;
    this.leases.set(id, { ttl: ttlSeconds, key: null });
    return Promise.resolve(id);
  }

  async keepAlive(lease: string): Promise<boolean> {
    const l = this.leases.get(lease);
    if (!l) return false;
    if (l.key === null) return true;
    // A refresh keeps the value and resets the TTL; a key that expired is gone (errorCode 100).
    const alive = await this.write('PUT', l.key, { ttl: String(l.ttl), refresh: 'true', prevExist: 'true' }, false);
    if (!alive) this.leases.delete(lease);
    return alive;
  }

  async putLeased(key: string, value: string, lease: string): Promise<void> {
    const l = this.leases.get(lease);
    if (!l) throw new Error(`no such lease ${lease}`);
    await this.write('PUT', key, { value, ttl: String(l.ttl) });
    l.key = key;
  }

  async revoke(lease: string): Promise<void> {
    const l = this.leases.get(lease);
    this.leases.delete(lease);
    if (l?.key) await this.write('DELETE', l.key, {}, true);
  }
}
