// bird.conf for the BIRD of the multi-balancer lab: every balancer an eBGP neighbor with the
// ROUTERS.md policy, the other router an iBGP neighbor, equal routes merged into one multipath
// kernel route (`merge paths`) in the router's own namespace.
import { POLICY } from '../router-types.js';
import type { FleetRouterSpec } from './fleet-router-spec.js';

/** BIRD's protocol name for balancer i (0-based): bal1, bal2, ... */
export const birdBalancerProtocol = (i: number): string => `bal${i + 1}`;

export function fleetBirdConfig(s: FleetRouterSpec): string {
  const set4 = POLICY.v4.map((p) => `${p.prefix}{${p.len},${p.len}}`).join(', ');
  const keepalive = Math.max(1, Math.floor(s.holdTime / 3));
  return [
    `log "${s.dir}/bird.log" all;`,
    `router id ${s.ip};`,
    'timeformat protocol iso long;',
    'protocol device { scan time 10; }',
    // the FIB: BGP routes only, equal ones merged into one ECMP route
    `protocol kernel { ipv4 { import none; export where source = RTS_BGP; }; merge paths on limit ${s.maxPaths}; }`,
    ...(s.bfd ? [`protocol bfd { interface "*" { interval ${s.bfd.intervalMs} ms; multiplier ${s.bfd.multiplier}; }; }`] : []),
    `define LVS_NETS = [ ${set4} ];`,
    'filter LVS_import {',
    '  if net.type = NET_IP4 && net ~ LVS_NETS then {',
    `    if defined(bgp_med) then bgp_med = bgp_med + ${POLICY.medAdd}; else bgp_med = ${POLICY.medAdd};`,
    '    accept;',
    '  }',
    '  reject;',
    '}',
    'filter LVS_ibgp { if net.type = NET_IP4 && net ~ LVS_NETS then accept; reject; }',
    'template bgp balancer {',
    `  local ${s.ip} as ${s.as};`,
    '  strict bind yes;',
    '  direct;',
    // vipd connects to its routers (docs/config.md bgp-local-ips)
    '  passive on;',
    ...(s.bfd ? ['  bfd on;'] : []),
    `  hold time ${s.holdTime};`,
    `  keepalive time ${keepalive};`,
    // a balancer stopped and started again (the tests do it often) is accepted again within 2 s
    '  error wait time 1, 2;',
    `  ipv4 { import filter LVS_import; export none; receive limit ${s.maxPrefixes} action disable; };`,
    '}',
    ...s.balancers.map((b, i) => `protocol bgp ${birdBalancerProtocol(i)} from balancer { neighbor ${b} as ${s.balancerAs}; }`),
    ...(s.ibgpPeer ? [
      'protocol bgp site_router {',
      `  local ${s.ip} as ${s.as};`,
      `  neighbor ${s.ibgpPeer} as ${s.as};`,
      '  strict bind yes;',
      '  direct;',
      `  hold time ${s.holdTime};`,
      `  keepalive time ${keepalive};`,
      '  connect retry time 1;',
      '  error wait time 1, 10;',
      '  ipv4 { gateway direct; import filter LVS_ibgp; export filter LVS_ibgp; };',
      '}',
    ] : []),
    '',
  ].join('\n');
}
