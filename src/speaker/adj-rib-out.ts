import type { PathAttributes, UpdateMessage } from '../bgp/types.js';
import type { CheckedRoute, FamilyName } from './routes.js';

/** What the Adj-RIB-Out of one session needs to know about it. */
export interface RibOutOptions {
  localAs: number;
  /** Families negotiated on the session; routes of other families are not sent. */
  families: FamilyName[];
  /** The peer's prefix limit; we never send more (routers tear the session down past it). */
  maxPrefixes?: number;
  nextHop: { ipv4?: string; ipv6?: string };
}

export interface RibOutPlan {
  /** Withdrawals first, then announcements grouped by identical attributes. */
  updates: UpdateMessage[];
  announced: string[];
  withdrawn: string[];
  /** Declared but held back by the prefix limit. */
  refused: string[];
  /** Declared for a family the session did not negotiate, or without a usable next hop. */
  unsendable: string[];
}

interface Entry { key: string; family: FamilyName; attributes: PathAttributes }

/** Room for NLRI in a 4096-octet UPDATE after the header, lengths and attributes (RFC 4271 §4.3). */
const MAX_MESSAGE = 4096;
const FIXED = 19 + 2 + 2;

function prefixBytes(prefix: string): number {
  return 1 + ((Number(prefix.slice(prefix.lastIndexOf('/') + 1)) + 7) >> 3);
}

function attributeBytes(a: PathAttributes): number {
  let n = 4; // ORIGIN
  n += 3 + (a.asPath ?? []).reduce((s, seg) => s + 2 + 4 * seg.asns.length, 0);
  if (a.nextHop) n += 7;
  if (a.med !== undefined) n += 7;
  if (a.communities?.length) n += 4 + 4 * a.communities.length;
  if (a.largeCommunities?.length) n += 4 + 12 * a.largeCommunities.length;
  if (a.mpReach) n += 4 + 5 + 16 * a.mpReach.nextHops.length;
  return n;
}

/** Splits prefixes into chunks that each fit one UPDATE next to `overhead` octets. */
function chunks(prefixes: string[], overhead: number): string[][] {
  const out: string[][] = [];
  let cur: string[] = [];
  let room = MAX_MESSAGE - FIXED - overhead;
  for (const p of prefixes) {
    const size = prefixBytes(p);
    if (size > room && cur.length) { out.push(cur); cur = []; room = MAX_MESSAGE - FIXED - overhead; }
    cur.push(p);
    room -= size;
  }
  if (cur.length) out.push(cur);
  return out;
}

export function withdrawUpdates(v4: string[], v6: string[]): UpdateMessage[] {
  const out: UpdateMessage[] = [];
  for (const c of chunks(v4, 0)) out.push({ type: 'UPDATE', withdrawn: c, attributes: {}, nlri: [] });
  // RFC 4760 §4: IPv6 withdrawals travel in MP_UNREACH_NLRI
  for (const c of chunks(v6, 7)) out.push({ type: 'UPDATE', withdrawn: [], attributes: { mpUnreach: { afi: 2, safi: 1, withdrawn: c } }, nlri: [] });
  return out;
}

/** RFC 4724 §2: End-of-RIB is an empty UPDATE (IPv4) or an empty MP_UNREACH_NLRI (others). */
export function endOfRib(family: FamilyName): UpdateMessage {
  if (family === 'ipv4') return { type: 'UPDATE', withdrawn: [], attributes: {}, nlri: [] };
  return { type: 'UPDATE', withdrawn: [], attributes: { mpUnreach: { afi: 2, safi: 1, withdrawn: [] } }, nlri: [] };
}

/**
 * The routes one session has sent, and the minimal UPDATEs to make it match a new declaration
 * (MetalLB's Session.Set). Pure: the caller sends what `plan` returns.
 */
export class AdjRibOut {
  private sent = new Map<string, Entry>();

  constructor(private readonly opts: RibOutOptions) {}

  get size(): number { return this.sent.size; }
  get prefixes(): string[] { return [...this.sent.keys()]; }

  private entryFor(r: CheckedRoute): Entry | null {
    const nextHop = r.nextHop ?? this.opts.nextHop[r.family];
    if (!nextHop || !this.opts.families.includes(r.family)) return null;
    const asns = new Array<number>(1 + (r.asPathPrepend ?? 0)).fill(this.opts.localAs);
    const attributes: PathAttributes = { origin: 'IGP', asPath: [{ type: 'AS_SEQUENCE', asns }] };
    if (r.family === 'ipv4') attributes.nextHop = nextHop;
    if (r.med !== undefined) attributes.med = r.med;
    if (r.communities?.length) attributes.communities = [...r.communities];
    if (r.largeCommunities?.length) attributes.largeCommunities = r.largeCommunities.map((l) => [...l] as [number, number, number]);
    const key = JSON.stringify([r.family, nextHop, r.med, r.communities ?? [], r.largeCommunities ?? [], asns.length]);
    if (r.family === 'ipv6') attributes.mpReach = { afi: 2, safi: 1, nextHops: [nextHop], nlri: [] };
    return { key, family: r.family, attributes };
  }

  /** Diffs `routes` against what was sent, commits the result, and returns the UPDATEs to send. */
  plan(routes: readonly CheckedRoute[]): RibOutPlan {
    const unsendable: string[] = [];
    const wanted = new Map<string, Entry>();
    for (const r of routes) {
      const e = this.entryFor(r);
      if (e) wanted.set(r.prefix, e); else unsendable.push(r.prefix);
    }
    // Already-sent prefixes keep their place under the limit; new ones fill it in declared order.
    const limit = this.opts.maxPrefixes ?? Infinity;
    const kept: [string, Entry][] = [];
    const refused: string[] = [];
    for (const [p, e] of wanted) if (this.sent.has(p)) kept.push([p, e]);
    for (const [p, e] of wanted) {
      if (this.sent.has(p)) continue;
      if (kept.length < limit) kept.push([p, e]); else refused.push(p);
    }
    while (kept.length > limit) refused.push((kept.pop() as [string, Entry])[0]);
    const next = new Map(kept);
    const withdrawn = [...this.sent.keys()].filter((p) => !next.has(p));
    const changed = kept.filter(([p, e]) => this.sent.get(p)?.key !== e.key);
    this.sent = next;
    return { updates: [...this.withdrawals(withdrawn), ...announce(changed)], announced: changed.map(([p]) => p), withdrawn, refused, unsendable };
  }

  /** Everything currently sent (of one family when named), for a ROUTE-REFRESH. */
  full(family?: FamilyName): UpdateMessage[] {
    return announce([...this.sent].filter(([, e]) => !family || e.family === family));
  }

  /** Withdraws everything (graceful shutdown) and forgets it. */
  withdrawAll(): UpdateMessage[] {
    const all = [...this.sent.keys()];
    this.sent.clear();
    return this.withdrawals(all);
  }

  private withdrawals(prefixes: string[]): UpdateMessage[] {
    const v6 = prefixes.filter((p) => p.includes(':'));
    return withdrawUpdates(prefixes.filter((p) => !p.includes(':')), v6);
  }
}

function announce(entries: [string, Entry][]): UpdateMessage[] {
  const groups = new Map<string, { entry: Entry; prefixes: string[] }>();
  for (const [p, e] of entries) {
    const g = groups.get(e.key);
    if (g) g.prefixes.push(p); else groups.set(e.key, { entry: e, prefixes: [p] });
  }
  const out: UpdateMessage[] = [];
  for (const { entry, prefixes } of groups.values()) {
    const overhead = attributeBytes(entry.attributes);
    for (const c of chunks(prefixes, overhead)) {
      const { mpReach } = entry.attributes;
      if (mpReach) out.push({ type: 'UPDATE', withdrawn: [], attributes: { ...entry.attributes, mpReach: { ...mpReach, nlri: c } }, nlri: [] });
      else out.push({ type: 'UPDATE', withdrawn: [], attributes: entry.attributes, nlri: c });
    }
  }
  return out;
}
