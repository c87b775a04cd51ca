import { realServer, type ServiceKey, type VirtualService } from '../src/lvs/index.js';

/** The benchmark table: `services` tcp services × `servers` realservers, all with `weight`. */
export function benchTable(services: number, servers: number, weight: number): VirtualService[] {
  return Array.from({ length: services }, (_, i) => {
    const key: ServiceKey = { protocol: 'tcp', address: `10.255.${100 + Math.floor(i / 250)}.${(i % 250) + 1}`, port: 80 };
    return {
      key, scheduler: 'wrr', flags: [], ops: false,
      realServers: Array.from({ length: servers }, (_, j) =>
        realServer({ address: `10.255.${Math.floor(j / 250)}.${(j % 250) + 1}`, port: 80, weight })),
    };
  });
}
