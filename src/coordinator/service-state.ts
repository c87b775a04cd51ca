/**
 * One configured service as the coordinator holds it, and the per-server monitor states. Kept
 * compact (issue 13 §3): monitor states are a plain array aligned with `spec.monitors` (the names
 * are stored once, on the spec), and first-round completion is a count, not a scan.
 */
import { newPool, type Pool } from './depool-policy.js';
import type { DesiredRealServer, MonitorState, ServerState, ServiceSpec } from './types.js';

export interface Service {
  spec: ServiceSpec;
  pool: Pool;
  delivered: boolean;
  /** The first list's resolutions are done (PyBal waits for them before assigning servers). */
  initialized: boolean;
  firstRoundDone: boolean;
  couldNotDepool: number;
  /** clock.now() when the service was added: its bgp-first-round-wait runs from here. */
  addedAt: number;
  /** Monitor states still without a first result, over all servers. */
  unchecked: number;
  /** The realservers last handed to IPVS; null until the service is first published. */
  published: DesiredRealServer[] | null;
  /** The servers of `published`, index for index (in pool order: by seq). */
  publishedServers: ServerState[];
  /** Rebuild `published` from the whole pool at the next flush (a pool edit, an address change). */
  rebuild: boolean;
}

export function newService(spec: ServiceSpec, now: number): Service {
  return {
    spec, pool: newPool(spec.depoolThreshold), delivered: false, initialized: false, firstRoundDone: false,
    couldNotDepool: 0, addedAt: now, unchecked: 0, published: null, publishedServers: [], rebuild: true,
  };
}

function fresh(): MonitorState {
  return { up: null, reason: '', since: null, durationMs: null, upTransitions: 0, downTransitions: 0, upResults: 0, downResults: 0 };
}

function unchecked(ms: readonly MonitorState[]): number {
  let n = 0;
  for (const m of ms) if (m.up === null) n++;
  return n;
}

/**
 * New monitor states for the service's monitors (no result yet). Counters carry over by name
 * from the states the server had under `oldNames` (a restart keeps the totals).
 */
export function resetMonitors(svc: Service, s: ServerState, oldNames: readonly string[] = svc.spec.monitors): void {
  const next = svc.spec.monitors.map((name) => {
    const m = fresh();
    const old = s.monitors[oldNames.indexOf(name)];
    if (old) { m.upTransitions = old.upTransitions; m.downTransitions = old.downTransitions; m.upResults = old.upResults; m.downResults = old.downResults; }
    return m;
  });
  svc.unchecked += next.length - unchecked(s.monitors);
  s.monitors = next;
}

/** The server leaves the service: its monitors no longer hold up the first round. */
export function dropMonitors(svc: Service, s: ServerState): void {
  svc.unchecked -= unchecked(s.monitors);
  s.monitors = [];
}

/** The monitor state of `monitor` (by configured name), or undefined. */
export function monitorState(svc: Service, s: ServerState, monitor: string): MonitorState | undefined {
  const i = svc.spec.monitors.indexOf(monitor);
  return i < 0 ? undefined : s.monitors[i];
}

/** PyBal waits for every server's first result: delivered, resolved, and no monitor still pending. */
export function firstRoundComplete(svc: Service): boolean {
  return svc.delivered && svc.initialized && svc.pool.counts.resolving === 0 && svc.unchecked === 0;
}
