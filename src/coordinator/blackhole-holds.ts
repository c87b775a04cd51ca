/**
 * blackhole-action = depool (issue 16 §2): when a black-hole depool is undone. A pure rule over a
 * clock passed in; the caller (src/cli/run/ipvs-stats.ts) does what it answers.
 *
 * A server the depool threshold kept in IPVS still shows its counters: it is let back once the
 * pattern clears. One that left IPVS cannot show it, so it comes back after a hold: one window,
 * doubling (2, 4, up to 8 windows) when it is flagged again within 4 windows of its last release,
 * back to one window after 4 quiet windows. The rule (blackhole.ts) looks at it again only once it
 * has been pooled a whole window.
 */

/** The clock the holds read: ms on any monotonic origin (the Clock of src/time has it). */
export interface HoldClock { now(): number }

/** Holds double up to 2^MAX_DOUBLINGS windows. */
export const MAX_DOUBLINGS = 3;
/** A flag within this many windows of the last release counts as the same episode (a strike more). */
export const STRIKE_MEMORY_WINDOWS = 4;

export interface Hold {
  readonly service: string;
  readonly host: string;
  /** When a server gone from IPVS is let back (ms, the clock's origin). */
  readonly releaseAt: number;
  /** Holds in a row (1 = the first). */
  readonly strikes: number;
}

const keyOf = (service: string, host: string): string => `${service}|${host}`;

export class BlackholeHolds {
  private readonly held = new Map<string, Hold>();
  /** When each server was last let back, and after how many holds in a row. */
  private readonly released = new Map<string, { at: number; strikes: number }>();

  constructor(private readonly clock: HoldClock) {}

  /**
   * The rule flags `host` of `service`: the hold it starts, or null when it is held already
   * (the caller depools on a hold, once).
   */
  flag(service: string, host: string, windowMs: number): Hold | null {
    const k = keyOf(service, host);
    if (this.held.has(k)) return null;
    const now = this.clock.now();
    const prev = this.released.get(k);
    const strikes = prev && now - prev.at < STRIKE_MEMORY_WINDOWS * windowMs ? prev.strikes + 1 : 1;
    const hold: Hold = { service, host, strikes, releaseAt: now + windowMs * 2 ** Math.min(strikes - 1, MAX_DOUBLINGS) };
    this.held.set(k, hold);
    return hold;
  }

  /**
   * After a read of `service`: `inKernel` its weighted servers, `flagged` those the rule names
   * now (pool hosts). Returns the hosts let back (the caller repools them).
   */
  settle(service: string, inKernel: ReadonlySet<string>, flagged: ReadonlySet<string>): string[] {
    const now = this.clock.now();
    const out: string[] = [];
    for (const [k, h] of this.held) {
      if (h.service !== service) continue;
      if (inKernel.has(h.host) ? flagged.has(h.host) : now < h.releaseAt) continue;
      this.held.delete(k);
      this.released.set(k, { at: now, strikes: h.strikes });
      out.push(h.host);
    }
    return out;
  }

  /** Holds and memories of services no longer read (removed by a reload) end. */
  retain(services: ReadonlySet<string>): void {
    for (const [k, h] of this.held) if (!services.has(h.service)) this.held.delete(k);
    for (const k of this.released.keys()) if (!services.has(k.slice(0, k.lastIndexOf('|')))) this.released.delete(k);
  }

  hold(service: string, host: string): Hold | null { return this.held.get(keyOf(service, host)) ?? null; }
}
