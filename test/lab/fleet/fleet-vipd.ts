// vipd on one balancer of the multi-balancer lab: its config (BGP to both site routers from its own
// address, one service whose pool is in the lab's etcd) and the process, in the balancer's namespace.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Vipd } from '../../integration/e2e-helpers.js';
import type { BfdOptions } from '../router-types.js';
import type { LanMember } from './lan.js';
import { BALANCER_AS, ROUTER_AS, type Fleet } from './fleet.js';

export const FLEET_VIP = '10.2.1.1';
export const FLEET_API_PORT = 9090;

export interface BalancerSpec {
  /** MED of the VIP (`bgp-med`): primary 0, backup 10, ... */
  med: number;
  /** Where the pool lives in etcd (conftool layout: PREFIX/<host> = {"pooled": ..., "weight": ...}). */
  poolPrefix: string;
  /** The service port (the backends' port). */
  port: number;
  bfd?: BfdOptions | null;
  /** Health check interval in seconds; default 1 (timeout 0.8 of it: a loaded CI machine is slow to answer). */
  interval?: number;
  /** More [global] lines. */
  extra?: string[];
}

export function balancerConfig(fleet: Fleet, b: LanMember, s: BalancerSpec): string {
  const interval = s.interval ?? 1;
  return [
    '[global]', 'bgp = yes', `bgp-local-asn = ${BALANCER_AS}`, `bgp-peer-as = ${ROUTER_AS}`,
    `bgp-peer-address = [ ${fleet.routers.map((r) => `"${r.ip}"`).join(', ')} ]`,
    `bgp-local-address = ${b.ip}`, 'bgp-hold-time = 30', `bgp-nexthop-ipv4 = ${b.ip}`, `bgp-med = ${s.med}`,
    ...(s.bfd ? ['bgp-bfd = yes', `bgp-bfd-interval = ${s.bfd.intervalMs}`, `bgp-bfd-multiplier = ${s.bfd.multiplier}`] : []),
    'instrumentation = yes', `instrumentation_port = ${FLEET_API_PORT}`, `instrumentation_ips = [ "${b.ip}" ]`,
    ...(s.extra ?? []),
    '',
    '[web]', 'protocol = tcp', `ip = ${FLEET_VIP}`, `port = ${s.port}`, 'scheduler = wrr',
    `config = etcd3://${fleet.etcd.hostPort}${s.poolPrefix.replace(/\/$/, '')}`,
    'depool-threshold = .5', 'monitors = [ "ProxyFetch" ]', "proxyfetch.url = [ 'http://web.example.org/healthz' ]",
    `proxyfetch.interval = ${interval}`, `proxyfetch.timeout = ${Math.min(interval * 0.8, 2)}`,
    '',
  ].join('\n');
}

/** Starts `vipd run -n` (dry-run IPVS) on balancer i with `config` (written to dir); always stop() it. */
export function startBalancerVipd(fleet: Fleet, i: number, config: string, dir: string, args: string[] = ['-n']): Vipd {
  const b = fleet.balancers[i]!;
  const file = join(dir, `vipd-bal${i + 1}.conf`);
  writeFileSync(file, config);
  return new Vipd(file, `${b.ip}:${FLEET_API_PORT}`, args, ['ip', 'netns', 'exec', b.netns]);
}
