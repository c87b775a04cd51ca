/**
 * From a configured service to its IPVS virtual service: the one mapping `vipd ipvs plan` and
 * `vipd run` share. Pure.
 */
import type { ServiceConfig } from '../config/index.js';
import { canonicalAddress, type Forwarding, type RealServer, type ServiceKey, type VirtualService } from '../lvs/index.js';

const FORWARDING: Record<ServiceConfig['forwarding'], Forwarding> = { dr: 'route', tun: 'tunnel', nat: 'masq' };

export function serviceKey(s: ServiceConfig): ServiceKey {
  return { protocol: s.protocol, address: canonicalAddress(s.ip), port: s.port };
}

/** A server to pool: its address, weight, and its own port (default the service's). */
export interface PooledServer { ip: string; port?: number; weight: number }

export function realServer(s: ServiceConfig, r: PooledServer): RealServer {
  return {
    address: canonicalAddress(r.ip), port: r.port ?? s.port, forwarding: FORWARDING[s.forwarding], weight: r.weight,
    upperThreshold: 0, lowerThreshold: 0, extra: [],
  };
}

export function virtualService(s: ServiceConfig, realServers: readonly RealServer[]): VirtualService {
  return {
    key: serviceKey(s), scheduler: s.scheduler, flags: s.schedulerFlags, ops: s.ops,
    ...(s.persistence !== null ? { persistence: { timeout: s.persistence } } : {}),
    realServers,
  };
}
