import type { ServiceConfig } from '../config/index.js';
import type { DesiredService } from '../coordinator/types.js';
import { realServer, type Forwarding, type IpvsTable, type RealServer, type ServiceKey, type VirtualService } from '../lvs/index.js';

const FORWARDING: Record<ServiceConfig['forwarding'], Forwarding> = { dr: 'route', tun: 'tunnel', nat: 'masq' };

export const serviceKeyOf = (s: ServiceConfig): ServiceKey => ({ protocol: s.protocol, address: s.ip, port: s.port });

export interface PooledServer { ip: string; port?: number; weight: number }

/** One configured service with the realservers to pool (port defaults to the service's). */
export function virtualServiceOf(s: ServiceConfig, servers: readonly PooledServer[]): VirtualService {
  return {
    key: serviceKeyOf(s),
    scheduler: s.scheduler,
    flags: [],
    ops: s.ops,
    ...(s.persistence !== null ? { persistence: { timeout: s.persistence } } : {}),
    realServers: servers.map((r): RealServer => realServer({
      address: r.ip, port: r.port ?? s.port, weight: r.weight, forwarding: FORWARDING[s.forwarding],
    })),
  };
}

/**
 * The coordinator's decision as an IPVS table: every configured service (a service with no
 * pooled server stays, empty), with the pooled realservers of the matching DesiredService.
 */
export function desiredTable(services: readonly ServiceConfig[], desired: readonly DesiredService[]): IpvsTable {
  const byName = new Map(desired.map((d) => [d.service, d.realServers]));
  return services.map((s) => virtualServiceOf(s, (byName.get(s.name) ?? []).map((r) => ({ ip: r.ip, port: r.port, weight: r.weight }))));
}
