/**
 * The coordinator's read side: its status and the API's keyed readings (issue 13), each after
 * publishing what this tick changed, so a reader never sees a stale decision.
 */
import { targetPort } from './effective.js';
import { overlayPools } from './overrides-apply.js';
import type { Publisher } from './publisher.js';
import type { Service } from './service-state.js';
import { monitorStatuses, poolStatus, type Alert, type CoordinatorStatus, type MonitorStatus, type PoolStatus } from './status.js';

export interface ReadState {
  services: ReadonlyMap<string, Service>;
  out: Publisher;
  alerts: ReadonlyMap<string, Alert>;
}

const extraOf = (svc: Service): { delivered: boolean; firstRoundDone: boolean; couldNotDepoolTotal: number } =>
  ({ delivered: svc.delivered, firstRoundDone: svc.firstRoundDone, couldNotDepoolTotal: svc.couldNotDepool });
const poolOf = (svc: Service): PoolStatus => poolStatus(svc.spec, svc.pool, extraOf(svc));

/** Servers show what IPVS holds (overrides applied); `health`: health's own decision instead. */
export function readStatus(r: ReadState, health: boolean): CoordinatorStatus {
  r.out.flush();
  const pools = [...r.services.values()].map(poolOf);
  const overrides = r.out.overrides;
  return { pools: health ? pools : overlayPools(pools, overrides), vips: r.out.decisions(), alerts: [...r.alerts.values()], overrides };
}

/** status() without the pools, O(VIPs + alerts). */
export function readSummary(r: ReadState): Omit<CoordinatorStatus, 'pools'> {
  r.out.flush();
  return { vips: r.out.decisions(), alerts: [...r.alerts.values()], overrides: r.out.overrides };
}

/** One pool as readStatus gives it, O(its servers). */
export function readPool(r: ReadState, service: string): PoolStatus | null {
  const svc = r.services.get(service);
  if (!svc) return null;
  r.out.flush();
  return overlayPools([poolOf(svc)], r.out.overrides)[0]!;
}

/**
 * One pool's summary with only the named servers, O(those + the pooled-down list); null when the
 * pool is gone or has overrides (overlayPools reads the whole pool: readPool then).
 */
export function readServers(r: ReadState, service: string, hosts: Iterable<string>): PoolStatus | null {
  const svc = r.services.get(service);
  if (!svc || r.out.overrides.servers.some((o) => o.pool === service)) return null;
  r.out.flush();
  return poolStatus(svc.spec, svc.pool, extraOf(svc), hosts);
}

/** One pool's server hosts in list order, O(its servers); no status built. */
export function readNames(r: ReadState, service: string): string[] | null {
  const svc = r.services.get(service);
  return svc ? [...svc.pool.servers.keys()] : null;
}

/** One pool's resolved servers by `address|port` (their IPVS entry's key) → host, O(its servers). */
export function readHosts(r: ReadState, service: string): Map<string, string> | null {
  const svc = r.services.get(service);
  if (!svc) return null;
  const out = new Map<string, string>();
  for (const s of svc.pool.servers.values()) if (s.ip !== null) out.set(`${s.ip}|${targetPort(svc.spec, s)}`, s.host);
  return out;
}

/** One server's monitors (overrides do not touch them), O(its monitors). */
export function readMonitors(r: ReadState, service: string, host: string): MonitorStatus[] | null {
  const svc = r.services.get(service);
  const s = svc?.pool.servers.get(host);
  return svc && s ? monitorStatuses(s, svc.spec) : null;
}
