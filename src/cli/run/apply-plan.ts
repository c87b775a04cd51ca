/**
 * Applies a reload plan (reload-plan.ts) to the running parts, in one order for start and
 * SIGHUP. What can fail (building monitors) happens first, before anything changes.
 */
import type { GlobalConfig, ServiceConfig } from '../../config/index.js';
import type { Coordinator } from '../../coordinator/coordinator.js';
import type { Monitor } from '../../health/index.js';
import type { Logger } from '../../log/logger.js';
import type { Ipvs } from '../../lvs/index.js';
import type { SpeakerControl } from '../../speaker/index.js';
import type { Clock } from '../../time/clock.js';
import { serviceKey } from '../ipvs-mapping.js';
import { ConfigError } from './errors.js';
import { buildMonitors, type HealthAdapter } from './health-adapter.js';
import type { IpvsAdapter } from './ipvs-adapter.js';
import { routeSpec, serviceSpec, staticRoutes } from './mapping.js';
import type { SpeakerAdapter } from './speaker-adapter.js';
import type { ReloadPlan } from './reload-plan.js';

/** The running parts a plan changes (the daemon's), named so this module needs nothing of the daemon. */
export interface PlanTarget {
  clock: Clock;
  log: Logger;
  health: HealthAdapter;
  coordinator: Coordinator;
  ipvs: IpvsAdapter;
  driver: Ipvs;
  speaker: SpeakerControl | null;
  speakerAdapter: SpeakerAdapter | null;
  /** BFD sessions for the peers with bgp-bfd (bfd-wiring.ts); a change of BFD alone leaves BGP as is. */
  bfd?: { configure(g: GlobalConfig): void } | null;
  startPool(s: ServiceConfig): void;
  stopPool(name: string): Promise<void>;
}

/** Builds the monitors the plan needs; throws ConfigError listing every service that cannot have them. */
export function prepareMonitors(plan: ReloadPlan, t: Pick<PlanTarget, 'clock' | 'log'>): Map<string, Monitor[]> {
  const monitors = new Map<string, Monitor[]>();
  const errors: string[] = [];
  for (const s of plan.buildMonitors) {
    const m = buildMonitors(s, { clock: t.clock, logger: t.log.child({ service: s.name }) }, plan.next.file);
    if ('error' in m) errors.push(m.error); else monitors.set(s.name, m.monitors);
  }
  if (errors.length) throw new ConfigError(errors.join('\n'));
  return monitors;
}

/**
 * Stops what goes, changes what changes, starts what comes. Pools start last, once the
 * coordinator knows their services. Peers go before they come back (a changed peer is both).
 */
export async function applyPlan(t: PlanTarget, plan: ReloadPlan, monitors: Map<string, Monitor[]>): Promise<void> {
  for (const name of plan.stopPools) await t.stopPool(name);
  for (const name of plan.dropHealth) t.health.dropService(name);
  for (const [name, m] of monitors) t.health.setMonitors(name, m);
  for (const addr of plan.speaker.remove) await t.speaker?.removePeer(addr, 'peer reconfigured');
  for (const p of plan.speaker.add) await t.speaker?.addPeer(p);
  for (const { peer, message } of plan.speaker.warnings) t.log.warn(message, { peer });
  t.bfd?.configure(plan.next.global);
  for (const w of plan.warnings) t.log.warn(w);
  const services = plan.next.services;
  // A service added now is ours: when a later reload drops it, it leaves the kernel.
  t.driver.own(services.map(serviceKey));
  // Changed virtual-service attributes (scheduler, flags…) reach IPVS now, not with the next pool change.
  t.ipvs.setServices(services, plan.ipvsChanged.length > 0);
  // advertised_instrumentation_ips: announced whatever the services' health, replaced on reload
  t.speakerAdapter?.setAlways(staticRoutes(plan.next.global));
  t.coordinator.configure(services.map(serviceSpec), routeSpec(plan.next.global));
  for (const s of plan.startPools) t.startPool(s);
}
