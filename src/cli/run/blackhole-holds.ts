/**
 * blackhole-action = depool (issue 16 §2): which servers are held down for black-hole evidence
 * and when they come back. A server the depool threshold kept in IPVS is let back once its
 * pattern clears; one that left IPVS cannot show it, so it comes back after a hold (the window,
 * doubling up to 8 windows while it keeps being flagged) and the rule looks at it again once it
 * has been pooled a whole window.
 */
interface Hold { service: string; host: string; releaseAt: number; strikes: number }

export class BlackholeHolds {
  private readonly held = new Map<string, Hold>();
  /** When each server was last let back, and after how many holds in a row. */
  private readonly released = new Map<string, { at: number; strikes: number }>();

  constructor(private readonly depool: (service: string, host: string, evidence: string | null) => void) {}

  /** The rule flags `host`: hold it down (once). */
  flag(service: string, host: string, evidence: string, now: number, windowMs: number): void {
    const k = `${service}|${host}`;
    if (this.held.has(k)) return;
    const prev = this.released.get(k);
    const strikes = prev && now - prev.at < 4 * windowMs ? prev.strikes + 1 : 1;
    this.held.set(k, { service, host, strikes, releaseAt: now + windowMs * 2 ** Math.min(strikes - 1, 3) });
    this.depool(service, host, evidence);
  }

  /** After a read of `service`: `inKernel` its weighted servers, `flagged` those the rule names now (pool hosts). */
  settle(service: string, inKernel: ReadonlySet<string>, flagged: ReadonlySet<string>, now: number): void {
    for (const [k, h] of this.held) {
      if (h.service !== service) continue;
      if (inKernel.has(h.host) ? flagged.has(h.host) : now < h.releaseAt) continue;
      this.held.delete(k);
      this.released.set(k, { at: now, strikes: h.strikes });
      this.depool(service, h.host, null);
    }
  }

  /** Holds of services no longer read (removed by a reload) end. */
  retain(services: ReadonlySet<string>): void {
    for (const [k, h] of this.held) if (!services.has(h.service)) this.held.delete(k);
  }

  isHeld(service: string, host: string): boolean { return this.held.has(`${service}|${host}`); }
}
