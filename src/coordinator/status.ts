/**
 * Read-only views of the coordinator's state for the instrumentation API, `vipd status` and
 * metrics. Plain data, safe to serialise; built fresh on every request so it is always current.
 */
import { canDepool, type Pool } from './depool-policy.js';
import type { MonitorState, ServerState, ServiceSpec } from './types.js';
import type { ServiceHealth, VipDecision } from './vip-policy.js';
import type { OverrideSet, ServerOverride } from './overrides.js';

export interface MonitorStatus extends MonitorState {
  name: string;
}

export interface ServerStatus {
  host: string;
  ip: string | null;
  port: number;
  weight: number;
  enabled: boolean;
  ready: boolean;
  up: boolean;
  /** Some monitor is up (PyBal's "partially up"). */
  partiallyUp: boolean;
  pooled: boolean;
  pooledDown: boolean;
  monitors: MonitorStatus[];
  /** The operator's override (issue 15); pooled and weight above already include it. */
  override?: ServerOverride;
  /** Down for black-hole evidence (issue 16 §2, blackhole-action = depool). */
  blackhole?: string;
}

export interface PoolStatus {
  name: string;
  ip: string;
  port: number;
  protocol: 'tcp' | 'udp';
  depoolThreshold: number;
  canDepool: boolean;
  /** The pool source delivered a list at least once. */
  delivered: boolean;
  firstRoundDone: boolean;
  servers: ServerStatus[];
  pooledDown: string[];
  couldNotDepoolTotal: number;
}

export type AlertLevel = 'warning' | 'critical';
export interface Alert { level: AlertLevel; source: string; message: string }

export interface CoordinatorStatus {
  pools: PoolStatus[];
  vips: VipDecision[];
  /** Alerts raised by other parts (pool sources, config reload), by source. */
  alerts: Alert[];
  /** Operator overrides in force (absent from sources without them). */
  overrides?: OverrideSet;
}

/** PyBal's text status: `enabled/up/pooled`, `disabled/partially up/not pooled`, ... */
export function textStatus(s: ServerStatus): string {
  const health = s.up ? 'up' : s.partiallyUp ? 'partially up' : 'down';
  return `${s.enabled ? 'enabled' : 'disabled'}/${health}/${s.pooled ? 'pooled' : 'not pooled'}`;
}

/** A server's monitors with their names (the service's `monitors` order). */
export function monitorStatuses(s: ServerState, spec: ServiceSpec): MonitorStatus[] {
  return s.monitors.map((m, i) => ({ name: spec.monitors[i] ?? `monitor ${i + 1}`, ...m }));
}

export function serverStatus(s: ServerState, spec: ServiceSpec, pooledDown: boolean): ServerStatus {
  const monitors = monitorStatuses(s, spec);
  return {
    host: s.host, ip: s.ip, port: s.port ?? spec.port, weight: s.weight, enabled: s.enabled,
    ready: s.ready, up: s.up, partiallyUp: monitors.some((m) => m.up === true), pooled: s.pooled,
    pooledDown, monitors, ...(s.blackhole ? { blackhole: s.blackhole } : {}),
  };
}

/** The pool's status; `only`: with just those servers (in that order, unknown ones left out), for a partial reading. */
export function poolStatus(
  spec: ServiceSpec, pool: Pool, extra: { delivered: boolean; firstRoundDone: boolean; couldNotDepoolTotal: number },
  only?: Iterable<string>,
): PoolStatus {
  const servers: ServerStatus[] = [];
  const one = (s: ServerState | undefined): void => { if (s) servers.push(serverStatus(s, spec, pool.pooledDown.has(s.host))); };
  if (only) for (const host of only) one(pool.servers.get(host));
  else for (const s of pool.servers.values()) one(s);
  return {
    name: spec.name, ip: spec.ip, port: spec.port, protocol: spec.protocol, depoolThreshold: pool.threshold,
    canDepool: canDepool(pool), ...extra, servers, pooledDown: [...pool.pooledDown],
  };
}

/** O(1): from the pool's counts (depool-policy.ts keeps them). */
export function serviceHealth(name: string, pool: Pool, firstRoundDone: boolean): ServiceHealth {
  const { up, pooled, pooledUp } = pool.counts;
  return { name, firstRoundDone, servers: pool.servers.size, up, pooled, pooledUp, belowThreshold: !canDepool(pool) };
}

/** PyBal's /alerts rule, plus alerts raised by pool sources and config reloads. */
export function alertSummary(st: CoordinatorStatus): { status: 'ok' | 'warning' | 'critical'; msg: string } {
  const crit: string[] = [];
  const warn: string[] = [];
  for (const p of st.pools) {
    const total = p.servers.length;
    if (p.pooledDown.length) crit.push(`${p.name}: Servers ${p.pooledDown.join(', ')} are marked down but pooled`);
    else if (total > 1 && total < total * p.depoolThreshold + 1) warn.push(`Pool ${p.name} is too small to allow depooling. `);
  }
  for (const a of st.alerts) (a.level === 'critical' ? crit : warn).push(a.level === 'critical' ? `${a.source}: ${a.message}` : `${a.source}: ${a.message}. `);
  if (crit.length) return { status: 'critical', msg: crit.join('; ') };
  if (warn.length) return { status: 'warning', msg: warn.join('') };
  return { status: 'ok', msg: 'All pools are healthy' };
}
