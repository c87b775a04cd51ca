/**
 * A site's shared keys in etcd (issue 17 §2): the overrides and the registrations, over either
 * transport, `etcd3://`/`etcd3s://` (the v3 gateway) or `etcd://` (the v2 keys API over TLS, as
 * conftool's etcd at Wikimedia, WMF-TODAY.md). One interface, so the override model, the
 * registrar and `vipd fleet --etcd` are written once.
 */
import { Etcd2Store } from './etcd2-store.js';
import { Etcd3Store } from './etcd3-store.js';
import type { SharedStore, StoreOptions } from './store-types.js';

export type { FollowHandlers, SharedStore, StoreOptions, StoreTls } from './store-types.js';

/** etcd3://, etcd3s:// or etcd:// (v2 over TLS); anything else is an error naming the URL's scheme. */
export function openStore(url: string, o: StoreOptions): SharedStore {
  const scheme = url.slice(0, url.indexOf(':') + 1).toLowerCase();
  if (scheme === 'etcd:') return new Etcd2Store(url, o);
  if (scheme === 'etcd3:' || scheme === 'etcd3s:') return new Etcd3Store(url, o);
  throw new Error(`'${scheme || url}' is not an etcd URL (etcd://, etcd3://, etcd3s://)`);
}
