import type { Family, UpdateMessage } from '../bgp/types.js';
import { Ipv4PrefixSet } from './ipv4-prefix-set.js';

/** What came in on one UPDATE; `overLimit` names the family in which this UPDATE went past the limit. */
export interface ReceivedResult { announced: number; withdrawn: number; total: number; discarded: number; overLimit?: Family }

/** Default inbound limit per family when none is configured (bgp-max-prefixes). */
export const DEFAULT_INBOUND_LIMIT = 10_000;

interface FamilyCount { keys: Ipv4PrefixSet | Set<string>; beyond: number }

/**
 * Received routes are never used (vipd exports nothing anywhere), so none is kept: only the set of
 * prefixes, up to `limit` per family, so that re-announcements and withdrawals count right. Beyond
 * the limit a prefix is not stored, only counted (`beyond`: announced past the limit minus
 * withdrawals of prefixes not in the set), so a leaked full table costs a counter, not memory.
 */
export class AdjRibIn {
  private readonly v4: FamilyCount = { keys: new Ipv4PrefixSet(), beyond: 0 };
  private readonly v6: FamilyCount = { keys: new Set<string>(), beyond: 0 };
  /** Announcements discarded since the session came up. */
  discardedTotal = 0;

  constructor(readonly limit: number) {}

  /** Prefixes the peer announced and has not withdrawn (beyond the limit: counted, approximate). */
  get size(): number { return this.v4.keys.size + this.v4.beyond + this.v6.keys.size + this.v6.beyond; }
  /** Prefixes held past the limit and not withdrawn since: 0 when the peer is back within it. */
  get beyondLimit(): number { return this.v4.beyond + this.v6.beyond; }

  /** Treat-as-withdraw (RFC 7606 §2): an UPDATE with a bad attribute withdraws what it carried. */
  withdrawAllOf(u: UpdateMessage): void {
    for (const p of [...u.withdrawn, ...u.nlri]) this.withdraw(this.v4, p);
    for (const p of [...(u.attributes.mpReach?.nlri ?? []), ...(u.attributes.mpUnreach?.withdrawn ?? [])]) this.withdraw(this.v6, p);
  }

  apply(u: UpdateMessage): ReceivedResult {
    const r: ReceivedResult = { announced: 0, withdrawn: 0, total: 0, discarded: 0 };
    for (const p of u.withdrawn) if (this.withdraw(this.v4, p)) r.withdrawn++;
    const un = u.attributes.mpUnreach;
    if (un && !un.raw) for (const p of un.withdrawn) if (this.withdraw(this.fam(un.afi), p)) r.withdrawn++;
    for (const p of u.nlri) this.announce(this.v4, p, { afi: 1, safi: 1 }, r);
    const re = u.attributes.mpReach;
    if (re && !re.raw) for (const p of re.nlri) this.announce(this.fam(re.afi), p, { afi: re.afi, safi: 1 }, r);
    r.total = this.size;
    return r;
  }

  clear(): void {
    this.v4.keys.clear(); this.v6.keys.clear();
    this.v4.beyond = 0; this.v6.beyond = 0;
    this.discardedTotal = 0;
  }

  private announce(f: FamilyCount, p: string, family: Family, r: ReceivedResult): void {
    r.announced++;
    if (f.keys.has(p)) return; // an implicit replacement (RFC 4271 §9.1.4)
    if (f.keys.size < this.limit) { f.keys.add(p); return; }
    f.beyond++;
    r.discarded++;
    this.discardedTotal++;
    r.overLimit ??= family;
  }

  private withdraw(f: FamilyCount, p: string): boolean {
    if (f.keys.delete(p)) return true;
    if (f.beyond > 0) { f.beyond--; return true; }
    return false;
  }

  private fam(afi: number): FamilyCount { return afi === 2 ? this.v6 : this.v4; }
}
