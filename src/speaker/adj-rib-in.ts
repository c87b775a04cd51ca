import type { Family, UpdateMessage } from '../bgp/types.js';
import { Ipv4PrefixSet } from './ipv4-prefix-set.js';

/** What came in on one UPDATE, and whether the session's inbound limit is now exceeded. */
export interface ReceivedResult { announced: number; withdrawn: number; total: number; overLimit?: Family }

/**
 * Received routes are counted and dropped (we export nothing anywhere); only the set of prefixes
 * is kept so that re-announcements and withdrawals count right.
 */
export class AdjRibIn {
  private readonly v4 = new Ipv4PrefixSet();
  private readonly v6 = new Set<string>();

  constructor(private readonly limit: number) {}

  get size(): number { return this.v4.size + this.v6.size; }

  /** Treat-as-withdraw (RFC 7606 §2): an UPDATE with a bad attribute withdraws what it carried. */
  withdrawAllOf(u: UpdateMessage): void {
    for (const p of [...u.withdrawn, ...u.nlri]) this.v4.delete(p);
    for (const p of [...(u.attributes.mpReach?.nlri ?? []), ...(u.attributes.mpUnreach?.withdrawn ?? [])]) this.v6.delete(p);
  }

  apply(u: UpdateMessage): ReceivedResult {
    let withdrawn = 0;
    let announced = 0;
    for (const p of u.withdrawn) if (this.v4.delete(p)) withdrawn++;
    const un = u.attributes.mpUnreach;
    if (un && !un.raw) for (const p of un.withdrawn) if (this.setFor(un.afi).delete(p)) withdrawn++;
    for (const p of u.nlri) { this.v4.add(p); announced++; }
    const re = u.attributes.mpReach;
    if (re && !re.raw) for (const p of re.nlri) { this.setFor(re.afi).add(p); announced++; }
    const result: ReceivedResult = { announced, withdrawn, total: this.size };
    if (this.v4.size > this.limit) result.overLimit = { afi: 1, safi: 1 };
    else if (this.v6.size > this.limit) result.overLimit = { afi: 2, safi: 1 };
    return result;
  }

  clear(): void { this.v4.clear(); this.v6.clear(); }

  private setFor(afi: number): Ipv4PrefixSet | Set<string> { return afi === 2 ? this.v6 : this.v4; }
}
