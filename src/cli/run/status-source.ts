/** What the instrumentation API reads from a running daemon: status, counters, the keyed deltas, actions. */
import type { BgpStatus, StatusSource } from '../../api/types.js';
import { keyedStatus } from './api-keyed.js';
import { bgpStatus, withSpeakerTruth } from './speaker-adapter.js';
import type { Coordinator } from '../../coordinator/coordinator.js';
import type { IpvsReconciler } from '../../lvs/index.js';
import type { SpeakerControl } from '../../speaker/index.js';
import type { Clock } from '../../time/clock.js';
import type { ChangeTracker } from './api-keyed.js';
import type { BfdWiring } from './bfd-wiring.js';
import type { HealthAdapter } from './health-adapter.js';
import type { IpvsAdapter } from './ipvs-adapter.js';
import type { IpvsStats } from './ipvs-stats.js';
import type { OverrideControl } from './override-control.js';

/** The parts of the daemon the API reads (daemon.ts; an interface, not an import of it). */
export interface DaemonParts {
  readonly opts: { dryRun: boolean; clock: Clock };
  readonly speaker: SpeakerControl | null;
  readonly bfd: BfdWiring | null;
  readonly coordinator: Coordinator;
  readonly reconciler: IpvsReconciler;
  readonly ipvs: IpvsAdapter;
  readonly health: HealthAdapter;
  readonly stats: IpvsStats | null;
  readonly overrides: OverrideControl | null;
  readonly changes: ChangeTracker;
  readonly reloads: { okAt: number | null; errorAt: number | null };
  readonly startedAt: number;
  confirmPoolRemoval(service: string): { ok: boolean; message: string };
}

export function daemonStatus(d: DaemonParts): StatusSource {
  const bgp = (): BgpStatus => bgpStatus(d.speaker?.status() ?? null, d.opts.clock.wallNow());
  return {
    coordinator: () => withSpeakerTruth(d.coordinator.status(), bgp()),
    bgp: () => { const b = bgp(); return d.bfd ? d.bfd.withBfd(b) : b; },
    ipvs: () => ({
      driver: d.opts.dryRun ? 'dry-run' : 'ipvsadm', repairsTotal: d.reconciler.repairs,
      appliesTotal: d.ipvs.applies, errorsTotal: d.reconciler.failures, lastError: d.ipvs.lastError,
    }),
    checks: () => d.health.checks.status(),
    schedule: () => d.health.schedule(),
    reload: () => ({ ...d.reloads }), counters: () => d.stats?.status() ?? null,
    keyed: keyedStatus(d.changes, d.coordinator, d.health.checks, bgp),
    startedAt: d.startedAt, now: () => d.opts.clock.wallNow(),
    actions: { confirmPoolRemoval: (service) => d.confirmPoolRemoval(service), ...(d.overrides ? { override: (w) => d.overrides!.write(w) } : {}) },
  };
}

