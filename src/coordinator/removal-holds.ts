/**
 * The removal hold's driver: keeps one hold per service, its release timer and its alert, and
 * hands the coordinator the list to apply now (the rule itself is pool-guard.ts, pure).
 */
import type { Cancel, Clock } from '../time/clock.js';
import type { Logger } from '../log/logger.js';
import { guardUpdate, holdMessage, type GuardPolicy, type RemovalHold } from './pool-guard.js';
import type { PoolServer, ServiceSpec } from './types.js';

export interface RemovalHoldsDeps {
  clock: Clock;
  log: Logger;
  alert(source: string, message: string | null): void;
  /** Apply a held list that is let go (the hold persisted, or the operator confirmed). */
  apply(service: string, list: PoolServer[]): void;
}

interface Held { hold: RemovalHold; timer: Cancel }

export class RemovalHolds {
  private readonly held = new Map<string, Held>();
  constructor(private readonly d: RemovalHoldsDeps) {}

  /** The list to apply now for `incoming`, given the servers as they are (`servers`). */
  filter(spec: ServiceSpec, servers: Iterable<PoolServer>, incoming: PoolServer[]): PoolServer[] {
    const service = spec.name;
    const policy: GuardPolicy = { maxRemoval: spec.poolMaxRemoval ?? 0.5, holdMs: spec.poolRemovalHoldMs ?? 60_000 };
    const current = [...servers].map((s): PoolServer => ({
      host: s.host, weight: s.weight, enabled: s.enabled, ...(s.port !== undefined ? { port: s.port } : {}),
    }));
    const was = this.held.get(service);
    const now = this.d.clock.now();
    const d = guardUpdate({ current, incoming, hold: was?.hold ?? null, now, policy });
    const log = this.d.log.child({ service });
    if (d.kind === 'apply') {
      if (was) {
        this.end(service);
        log.info(d.released === 'gone' ? 'held pool update withdrawn: the latest list does not remove too many' : `held pool update applied (${d.released})`);
      }
      return d.list;
    }
    const msg = holdMessage(service, d.hold, policy, now);
    if (was) was.hold = d.hold;
    else {
      log.warn(msg);
      const timer = this.d.clock.setTimer(policy.holdMs, () => this.release(service, `it persisted for ${policy.holdMs / 1000} s`));
      this.held.set(service, { hold: d.hold, timer });
    }
    this.d.alert(source(service), msg);
    return d.list;
  }

  /** The operator lets the held update of `service` go now. */
  confirm(service: string): { ok: boolean; message: string } {
    const h = this.held.get(service);
    if (!h) return { ok: false, message: `no pool update of ${service} is held` };
    const n = h.hold.removing.length;
    this.release(service, 'confirmed by the operator');
    return { ok: true, message: `held pool update of ${service} applied: ${n} server${n === 1 ? '' : 's'} removed` };
  }

  /** Forget the hold of a service (removed, or vipd stopping); its alert goes too. */
  end(service: string): void {
    const h = this.held.get(service);
    if (!h) return;
    h.timer();
    this.held.delete(service);
    this.d.alert(source(service), null);
  }

  endAll(): void { for (const s of [...this.held.keys()]) this.end(s); }

  private release(service: string, why: string): void {
    const h = this.held.get(service);
    if (!h) return;
    this.end(service);
    this.d.log.warn(`held pool update applied (${why}): removing ${h.hold.removing.join(', ')}`, { service });
    this.d.apply(service, h.hold.list);
  }
}

const source = (service: string): string => `pool-guard ${service}`;
