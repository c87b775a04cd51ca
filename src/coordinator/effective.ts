/**
 * The one place a server's effective IPVS entry is derived: whether it is in IPVS and with which
 * port and weight. A service with an operator override (issue 15: depool, drain = weight 0, pin)
 * is rebuilt by the publisher from overrides-apply's effectiveServers, its entries made here by
 * weightedEntry; a change that alters the result without a `pooled` change (setFlag) must reach
 * the publisher too: `pool.touched.add(server)` and touch the service (or touch it with `rebuild`).
 */
import type { DesiredRealServer, ServerState, ServiceSpec } from './types.js';

export function targetPort(spec: ServiceSpec, s: ServerState): number { return s.port ?? spec.port; }

/**
 * The server's IPVS entry, or null when it is not in IPVS. The object is kept on the server and
 * reused while ip, port and weight are unchanged, so an unchanged service yields the same objects
 * (the publisher compares by identity) and nothing is rebuilt per transition.
 */
export function ipvsEntry(spec: ServiceSpec, s: ServerState): DesiredRealServer | null {
  if (!s.pooled || s.ip === null) return null;
  return weightedEntry(spec, s, s.weight);
}

/**
 * The server's entry with `weight` (an override's: drain = 0). `s` must have an address. The cached
 * object is reused when it matches; only an entry at the server's own weight is cached.
 */
export function weightedEntry(spec: ServiceSpec, s: ServerState, weight: number): DesiredRealServer {
  const port = targetPort(spec, s);
  const e = s.entry;
  if (e !== null && e.ip === s.ip && e.port === port && e.weight === weight) return e;
  const n = { host: s.host, ip: s.ip!, port, weight };
  if (weight === s.weight) s.entry = n;
  return n;
}
