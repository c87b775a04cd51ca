/**
 * The coordinator's IpvsPort on top of the IPVS reconciler: the coordinator gives realservers per
 * service name; this adds what the config says about each virtual service. A service whose pool
 * has not arrived yet keeps what the kernel had at start (adopted), so a restart never empties it.
 * Until that table has been read nothing reaches the kernel: decisions wait (the latest is kept).
 */
import type { ServiceConfig } from '../../config/index.js';
import type { DesiredService, IpvsChanges, IpvsPort } from '../../coordinator/types.js';
import { serviceId, type IpvsReconciler, type IpvsTable, type RealServer, type VirtualService } from '../../lvs/index.js';
import type { Cancel, Clock } from '../../time/clock.js';
import { realServer, serviceKey, virtualService } from '../ipvs-mapping.js';

/**
 * Batches closer together than `ms` go to the kernel as one, the latest (issue 13: a rack failing is
 * ~10,000 transitions in a second; each batch builds and plans its 10,000-server service, ~1.5 ms,
 * and one loop turn's transitions made one batch: a third of the main thread went to it).
 */
export interface BatchSpacing { clock: Clock; ms: number }
/** vipd's spacing: a down server's traffic stops at most this much later (PyBal: a process per command). */
export const IPVS_BATCH_SPACING_MS = 100;

export class IpvsAdapter implements IpvsPort {
  private services: ServiceConfig[] = [];
  private desired = new Map<string, DesiredService>();
  private adopted = new Map<string, readonly RealServer[]>();
  /** Each service's virtual service as last built, until its pool or the config changes (a batch rebuilds only its services). */
  private built = new Map<string, VirtualService>();
  private ready = false;
  private waiting = false;
  private lastPush = -Infinity;
  private later: Cancel | null = null;
  applies = 0;
  lastError: string | null = null;

  /** `onOutcome` hears whether each decision reached the kernel (null) or why not. */
  constructor(
    private readonly reconciler: IpvsReconciler, onOutcome: (error: string | null) => void = () => {}, private readonly spacing?: BatchSpacing,
  ) {
    // Every apply's outcome counts, the periodic check's and the retries' too: a repair clears the alert.
    reconciler.onOutcome((o) => {
      this.lastError = o.ok ? null : o.error.message;
      onOutcome(this.lastError);
    });
  }

  /** What the kernel held when vipd started (read once); releases the decision that waited for it. */
  adopt(table: IpvsTable): void {
    for (const vs of table) this.adopted.set(serviceId(vs.key), vs.realServers);
    this.built.clear();
    this.ready = true;
    if (this.waiting) this.push();
  }

  /**
   * The configured services; call before the coordinator publishes for a new config. `push`:
   * a virtual service's own attributes changed (scheduler, flags, persistence), so the table goes
   * to the kernel now rather than with the next pool change.
   */
  setServices(services: ServiceConfig[], push = false): void {
    this.services = services;
    this.built.clear();
    if (push && this.ready) this.push();
  }

  /** The coordinator's batch: only the services that changed (the monitor results of one tick share one batch). */
  applyChanges(changes: IpvsChanges): void {
    for (const name of changes.removed) { this.desired.delete(name); this.built.delete(name); }
    for (const d of changes.services) { this.desired.set(d.service, d); this.built.delete(d.service); }
    this.applies++;
    if (this.ready) this.push(); else this.waiting = true;
  }

  private push(): void {
    this.waiting = false;
    if (this.later) return; // the batch waiting for its turn takes the latest
    const s = this.spacing;
    const wait = s ? this.lastPush + s.ms - s.clock.now() : 0;
    if (s && wait > 0) {
      this.later = s.clock.setTimer(wait, () => { this.later = null; this.push(); });
      return;
    }
    if (s) this.lastPush = s.clock.now();
    void this.reconciler.setDesired(this.table());
  }

  /** Drops a batch waiting for its turn (shutdown). */
  stop(): void { this.later?.(); this.later = null; }

  /** The whole table; only the services changed since the last call are built again (10,000 realservers: issue 13). */
  table(): VirtualService[] {
    return this.services.map((s) => {
      let vs = this.built.get(s.name);
      if (!vs) { vs = this.build(s); this.built.set(s.name, vs); }
      return vs;
    });
  }

  private build(s: ServiceConfig): VirtualService {
    const d = this.desired.get(s.name);
    const rs = d ? d.realServers.map((r) => realServer(s, r)) : (this.adopted.get(serviceId(serviceKey(s))) ?? []);
    const seen = new Set<string>();
    // Two hostnames resolving to one address are one realserver to the kernel.
    return virtualService(s, rs.filter((r) => !seen.has(r.address) && !!seen.add(r.address)));
  }
}
