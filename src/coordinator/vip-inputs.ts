/** Groups services by VIP into the inputs of the VIP policy (pure but for the settled latch). */
import type { Pool } from './depool-policy.js';
import { serviceHealth } from './status.js';
import type { RouteSpec, ServiceSpec } from './types.js';
import { vipPrefix, type VipInput } from './vip-policy.js';

/** `waitOver`: bgp-first-round-wait passed before the service's first health round finished. */
export interface ServiceView { spec: ServiceSpec; pool: Pool; firstRoundDone: boolean; waitOver?: boolean }

/** Services by VIP prefix (`10.2.1.1/32`), each group in the order given. */
export function groupByVip<T extends { spec: ServiceSpec }>(services: Iterable<T>): Map<string, T[]> {
  const byIp = new Map<string, T[]>();
  for (const svc of services) {
    const key = vipPrefix(svc.spec.ip).prefix;
    const g = byIp.get(key);
    if (g) g.push(svc); else byIp.set(key, [svc]);
  }
  return byIp;
}

/**
 * The input of one VIP (`key`, its prefix) from the services on it (`all`, non-empty). Latches
 * `settled` when every BGP service finished a first health round once (or its
 * bgp-first-round-wait is over: issue 12 §5, the VIP is announced on what is known).
 */
export function vipInput(
  key: string, all: readonly ServiceView[], route: RouteSpec, settled: Set<string>, withheld: ReadonlyMap<string, string>,
): VipInput {
  const svcs = all.filter((s) => s.spec.bgp);
  if (svcs.length > 0 && svcs.every((s) => s.firstRoundDone || s.waitOver)) settled.add(key);
  const early = svcs.filter((s) => s.waitOver && !s.firstRoundDone).map((s) => s.spec.name);
  const first = svcs[0]?.spec;
  const degradedMed = first?.degradedMed ?? route.degradedMed;
  const why = withheld.get(key.split('/')[0]!);
  return {
    ip: all[0]!.spec.ip,
    services: svcs.map((s) => serviceHealth(s.spec.name, s.pool, s.firstRoundDone)),
    settled: settled.has(key),
    med: first?.med ?? route.med,
    ...(degradedMed !== undefined ? { degradedMed } : {}),
    policy: first?.withdrawPolicy ?? route.withdrawPolicy,
    ...(why ? { withheld: why } : {}),
    ...(early.length ? { firstRoundPending: early } : {}),
  };
}

/**
 * One input per VIP address. `settled` is a latch the caller keeps across calls: a VIP whose
 * BGP services all finished a first health round once stays settled (a service added later by a
 * reload must not withdraw it while its own first round runs). A VIP that leaves the config
 * loses its latch. `withheld`: canonical VIP address → why this host must not announce it.
 */
export function buildVipInputs(
  services: ServiceView[], route: RouteSpec, settled: Set<string>, withheld: ReadonlyMap<string, string> = new Map(),
): VipInput[] {
  const byIp = groupByVip(services);
  for (const key of [...settled]) if (!byIp.has(key)) settled.delete(key);
  return [...byIp].map(([key, all]) => vipInput(key, all, route, settled, withheld));
}
