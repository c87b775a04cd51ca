// bgpd.conf for the FRR of the multi-balancer lab: every balancer an eBGP neighbor with the
// ROUTERS.md policy, the other router an iBGP neighbor, ECMP across balancers.
import { POLICY } from '../router-types.js';
import type { FleetRouterSpec } from './fleet-router-spec.js';

export function fleetFrrConfig(s: FleetRouterSpec): string {
  const keepalive = Math.max(1, Math.floor(s.holdTime / 3));
  const neighbor = (n: string) => [
    ` neighbor ${n} remote-as ${s.balancerAs}`,
    ` neighbor ${n} description vipd-balancer`,
    ` neighbor ${n} timers ${keepalive} ${s.holdTime}`,
    ` neighbor ${n} update-source ${s.ip}`,
    // vipd connects to its routers (docs/config.md bgp-local-ips)
    ` neighbor ${n} passive`,
    ...(s.bfd ? [` neighbor ${n} bfd`, ` neighbor ${n} bfd profile vipd`] : []),
  ];
  const family = (n: string) => [
    `  neighbor ${n} activate`,
    `  neighbor ${n} route-map LVS_import in`,
    `  neighbor ${n} route-map NONE out`,
    `  neighbor ${n} maximum-prefix ${s.maxPrefixes}`,
  ];
  const ibgp = s.ibgpPeer;
  return [
    'frr defaults traditional',
    'hostname fleet-frr',
    `log file ${s.dir}/bgpd.log informational`,
    'log timestamp precision 6',
    ...POLICY.v4.map((p, i) => `ip prefix-list LVS-service-ips seq ${(i + 1) * 5} permit ${p.prefix} ge ${p.len}`),
    'route-map LVS_import permit 10', ' match ip address prefix-list LVS-service-ips', ` set metric +${POLICY.medAdd}`, 'exit',
    // iBGP between the site's routers carries the LVS routes as learned (ROUTERS.md: "they exchange the LVS routes")
    'route-map LVS_ibgp permit 10', ' match ip address prefix-list LVS-service-ips', 'exit',
    'route-map NONE deny 10', 'exit',
    'bgp route-map delay-timer 0',
    `router bgp ${s.as}`,
    ` bgp router-id ${s.ip}`,
    ' no bgp default ipv4-unicast',
    ' no bgp ebgp-requires-policy',
    ...s.balancers.flatMap(neighbor),
    ...(ibgp ? [` neighbor ${ibgp} remote-as ${s.as}`, ` neighbor ${ibgp} description site-router`,
      ` neighbor ${ibgp} timers ${keepalive} ${s.holdTime}`, ` neighbor ${ibgp} update-source ${s.ip}`] : []),
    ' address-family ipv4 unicast',
    // ECMP: one path per balancer announcing the VIP with the best MED (same neighbor AS, so MEDs compare)
    `  maximum-paths ${s.maxPaths}`,
    `  maximum-paths ibgp ${s.maxPaths}`,
    ...s.balancers.flatMap(family),
    ...(ibgp ? [`  neighbor ${ibgp} activate`, `  neighbor ${ibgp} route-map LVS_ibgp in`, `  neighbor ${ibgp} route-map LVS_ibgp out`] : []),
    ' exit-address-family',
    'exit',
    '',
  ].join('\n');
}
