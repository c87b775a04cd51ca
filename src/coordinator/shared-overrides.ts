/**
 * Overrides shared by every balancer of a site through etcd (issue 17 §2), pure: the key layout
 * and the fold of etcd's keys (a full read, then watch events) into the OverrideSet one instance
 * applies. Under the site prefix P:
 *
 *   P/overrides/servers/<pool>/<host>   a server override: every balancer applies it
 *   P/overrides/instances/<name>        an instance depool: only the balancer named <name>
 *   P/members/<name>                    registrations (cli/fleet), not read here
 *
 * Path components are URI-encoded. A value that does not parse affects only its key: it keeps
 * the last good value of that key (none: no override) and is reported naming the key.
 */
import type { EtcdEvent, EtcdKv } from '../pools/etcd-client.js';
import { instanceEntry, OverrideEntryError, serverEntry } from './override-entries.js';
import type { InstanceOverride, OverrideSet, ServerOverride } from './overrides.js';

const enc = encodeURIComponent;

/** The prefix with exactly one trailing slash. */
export const sitePrefix = (prefix: string): string => prefix.replace(/\/*$/, '/');
export const overridesPrefix = (prefix: string): string => `${sitePrefix(prefix)}overrides/`;
export const serverKey = (prefix: string, pool: string, host: string): string => `${overridesPrefix(prefix)}servers/${enc(pool)}/${enc(host)}`;
export const instanceKey = (prefix: string, name: string): string => `${overridesPrefix(prefix)}instances/${enc(name)}`;
export const membersPrefix = (prefix: string): string => `${sitePrefix(prefix)}members/`;
export const memberKey = (prefix: string, name: string): string => `${membersPrefix(prefix)}${enc(name)}`;

/** The stored value: the override itself (pool and host included, for people reading etcd). */
export const overrideValue = (o: ServerOverride | InstanceOverride): string => JSON.stringify(o);

type Entry = { kind: 'server'; o: ServerOverride } | { kind: 'instance'; name: string; o: InstanceOverride };

function decodeKey(prefix: string, key: string): { kind: 'server'; pool: string; host: string } | { kind: 'instance'; name: string } | null {
  const base = overridesPrefix(prefix);
  if (!key.startsWith(base)) return null;
  const parts = key.slice(base.length).split('/');
  try {
    if (parts[0] === 'servers' && parts.length === 3 && parts[1] && parts[2]) {
      return { kind: 'server', pool: decodeURIComponent(parts[1]), host: decodeURIComponent(parts[2]) };
    }
    if (parts[0] === 'instances' && parts.length === 2 && parts[1]) return { kind: 'instance', name: decodeURIComponent(parts[1]) };
  } catch { /* a malformed %-escape: not one of ours */ }
  return null;
}

export class SharedOverrides {
  private entries = new Map<string, Entry>();
  /** Key → why its value is refused. */
  private bad = new Map<string, string>();

  constructor(private readonly prefix: string, private readonly instance: string) {}

  /** A full read: everything under P/overrides/ replaces what was known (last good values of bad keys kept). */
  reset(kvs: EtcdKv[]): void {
    const before = this.entries;
    this.entries = new Map();
    this.bad.clear();
    for (const kv of kvs) this.put(kv, before);
  }

  apply(events: EtcdEvent[]): void {
    for (const e of events) {
      if (e.type === 'put') this.put(e.kv, this.entries);
      else if (e.key.endsWith('/')) {
        // An etcd v2 directory removed (etcd2-tree.ts): every key under it goes.
        for (const k of [...this.entries.keys(), ...this.bad.keys()]) if (k.startsWith(e.key)) { this.entries.delete(k); this.bad.delete(k); }
      } else { this.entries.delete(e.key); this.bad.delete(e.key); }
    }
  }

  private put(kv: EtcdKv, previous: Map<string, Entry>): void {
    const where = decodeKey(this.prefix, kv.key);
    if (!where) return;
    this.bad.delete(kv.key);
    try {
      let raw: unknown;
      try { raw = JSON.parse(kv.value); } catch { throw new OverrideEntryError(`etcd key ${kv.key}: value is not JSON`); }
      const at = `etcd key ${kv.key}`;
      this.entries.set(kv.key, where.kind === 'server'
        ? { kind: 'server', o: serverEntry(raw, at, where) }
        : { kind: 'instance', name: where.name, o: instanceEntry(raw, at) });
    } catch (e) {
      if (!(e instanceof OverrideEntryError)) throw e;
      const kept = previous.get(kv.key);
      this.bad.set(kv.key, `${e.message}; ${kept ? 'its previous value stays in force' : 'ignored'}`);
      if (kept) this.entries.set(kv.key, kept); else this.entries.delete(kv.key);
    }
  }

  /** What this instance applies: every server override, and its own instance depool. */
  set(): OverrideSet {
    const servers: ServerOverride[] = [];
    let instance: InstanceOverride | null = null;
    for (const e of this.entries.values()) {
      if (e.kind === 'server') servers.push(e.o);
      else if (e.name === this.instance) instance = e.o;
    }
    servers.sort((a, b) => (a.pool === b.pool ? (a.host < b.host ? -1 : a.host > b.host ? 1 : 0) : a.pool < b.pool ? -1 : 1));
    return { servers, instance };
  }

  /** One line per refused value, naming its key; empty when every value parses. */
  problems(): string[] { return [...this.bad.values()]; }
}
