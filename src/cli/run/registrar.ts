/**
 * This balancer's registration in etcd (issue 17 §2): P/members/<instance-name> under a lease of
 * TTL_S seconds (a v3 lease, or a v2 key's TTL: store.ts). Every tick: written again when its content changed, the lease kept alive a
 * third of the TTL apart; a lease that ended (etcd down past the TTL) is granted anew. Revoked on a
 * clean stop, so the key leaves at once; a crash lets it expire.
 */
import type { Logger } from '../../log/logger.js';
import type { SharedStore } from '../../pools/store.js';
import type { Cancel, Clock } from '../../time/clock.js';
import { registrationContent, type Registration } from '../fleet/registration.js';

export const TTL_S = 10;

export interface RegistrarDeps {
  store: SharedStore;
  key: string;
  clock: Clock;
  log: Logger;
  /** What to register now. */
  info(): Omit<Registration, 'updated'>;
  /** Between ticks, ms; default 1000. */
  tickMs?: number;
  ttlSeconds?: number;
}

export class Registrar {
  private lease: string | null = null;
  private written: string | null = null;
  private aliveAt = 0;
  private timer: Cancel | null = null;
  private busy: Promise<void> | null = null;
  private failing: string | null = null;
  private stopped = false;

  constructor(private readonly d: RegistrarDeps) {}

  start(): void { this.schedule(0); }

  private schedule(ms: number): void {
    if (this.stopped) return;
    this.timer = this.d.clock.setTimer(ms, () => {
      this.timer = null;
      this.busy = this.tick().then(() => {
        if (this.failing !== null) this.d.log.info(`registration in etcd written again (${this.d.key})`);
        this.failing = null;
      }, (e: unknown) => {
        const why = (e as Error).message;
        if (this.failing !== why) this.d.log.warn(`registration in etcd not refreshed: ${why}; retrying`);
        this.failing = why;
      }).finally(() => { this.busy = null; this.schedule(this.d.tickMs ?? 1000); });
    });
  }

  private async tick(): Promise<void> {
    const ttl = this.d.ttlSeconds ?? TTL_S;
    const now = this.d.clock.now();
    if (this.lease && now - this.aliveAt >= (ttl * 1000) / 3) {
      if (await this.d.store.keepAlive(this.lease)) this.aliveAt = now;
      else { this.lease = null; this.written = null; }
    }
    if (!this.lease) {
      this.lease = await this.d.store.grant(ttl);
      this.aliveAt = now;
      this.written = null;
    }
    const info = this.d.info();
    const content = registrationContent(info);
    if (content === this.written) return;
    const reg: Registration = { ...info, updated: new Date(this.d.clock.wallNow()).toISOString() };
    await this.d.store.putLeased(this.d.key, JSON.stringify(reg), this.lease);
    this.written = content;
  }

  /** Clean stop: the lease is revoked, so the registration goes at once (best effort). */
  async stop(): Promise<void> {
    this.stopped = true;
    this.timer?.();
    await this.busy;
    if (!this.lease) return;
    try { await this.d.store.revoke(this.lease, AbortSignal.timeout(1000)); } catch (e) { this.d.log.warn(`registration not removed from etcd (expires in ${this.d.ttlSeconds ?? TTL_S} s): ${(e as Error).message}`); }
    this.lease = null;
  }
}
