/**
 * The kernel's live per-realserver counters (issue 16 §1): `ipvsadm -Ln --exact` (weight,
 * ActiveConn, InActConn) joined with `ipvsadm -Ln --rate --exact` (connections/s, bytes/s).
 */
import { serverId, serviceId, type ServiceKey } from './model.js';
import type { Connections, Rates, ServiceRow } from './parse-listing.js';
import { Slicer } from '../time/slices.js';

export interface RealServerCounters {
  readonly address: string;
  readonly port: number;
  readonly weight: number;
  /** ActiveConn: entries in ESTABLISHED (and SYN_RECV). */
  readonly active: number;
  /** InActConn: every other state (closing, closed, reset). */
  readonly inactive: number;
  /** The kernel's estimate of new connections per second (2 s EWMA). */
  readonly cps: number;
  readonly inBps: number;
  readonly outBps: number;
}

export interface ServiceCounters {
  readonly key: ServiceKey;
  readonly servers: readonly RealServerCounters[];
}

const NO_RATE: Rates = { cps: 0, inPps: 0, outPps: 0, inBps: 0, outBps: 0 };

/** Joins the two listings by service and server; a server only in one listing (changed in between) gets zeros for the other. */
export async function joinCounters(
  conns: readonly ServiceRow<Connections>[], rates: readonly ServiceRow<Rates>[],
): Promise<ServiceCounters[]> {
  const slicer = new Slicer();
  const byService = new Map<string, Map<string, Rates>>();
  for (const r of rates) {
    const m = new Map<string, Rates>();
    for (const s of r.servers) {
      m.set(serverId(s), s.values);
      if (slicer.due()) await slicer.pause();
    }
    byService.set(serviceId(r.key), m);
  }
  const out: ServiceCounters[] = [];
  for (const c of conns) {
    const m = byService.get(serviceId(c.key));
    const servers: RealServerCounters[] = [];
    for (const s of c.servers) {
      const r = m?.get(serverId(s)) ?? NO_RATE;
      servers.push({ address: s.address, port: s.port, ...s.values, cps: r.cps, inBps: r.inBps, outBps: r.outBps });
      if (slicer.due()) await slicer.pause();
    }
    out.push({ key: c.key, servers });
  }
  return out;
}
