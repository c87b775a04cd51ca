import { POLICY, type ResolvedOptions } from '../router-types.js';

/** bgpd.conf with the ROUTERS.md policy: import /32s (/128s) in the LVS ranges with MED +10, export nothing. */
export function frrConfig(o: ResolvedOptions): string {
  const n = o.speakerIp;
  const keepalive = Math.max(1, Math.floor(o.holdTime / 3));
  const family = (afi: 'ipv4' | 'ipv6', rmap: string) => [
    ` address-family ${afi} unicast`,
    `  neighbor ${n} activate`,
    `  neighbor ${n} route-map ${rmap} in`,
    `  neighbor ${n} route-map NONE out`,
    `  neighbor ${n} maximum-prefix ${o.maxPrefixes}`,
    ' exit-address-family',
  ];
  return [
    'frr defaults traditional',
    'hostname lab-frr',
    `log file ${o.dir}/bgpd.log informational`,
    'log timestamp precision 6',
    // what a BFD or graceful restart test needs to explain a lost route
    ...(o.bfd ? ['debug bgp neighbor-events', 'debug bgp graceful-restart', 'debug bgp bfd'] : []),
    ...POLICY.v4.map((p, i) => `ip prefix-list LVS-service-ips seq ${(i + 1) * 5} permit ${p.prefix} ge ${p.len}`),
    ...POLICY.v6.map((p, i) => `ipv6 prefix-list LVS-service-ips6 seq ${(i + 1) * 5} permit ${p.prefix} ge ${p.len}`),
    'route-map LVS_import permit 10', ' match ip address prefix-list LVS-service-ips', ` set metric +${POLICY.medAdd}`, 'exit',
    'route-map LVS_import6 permit 10', ' match ipv6 address prefix-list LVS-service-ips6', ` set metric +${POLICY.medAdd}`, 'exit',
    'route-map NONE deny 10', 'exit',
    `bgp route-map delay-timer ${o.frrRouteMapDelay}`,
    `router bgp ${o.routerAs}`,
    ` bgp router-id ${o.routerId}`,
    // RFC 4724 helper for the speaker, RFC 8538 N bit
    ...(o.gracefulRestart ? [' bgp graceful-restart notification'] : []),
    ' no bgp default ipv4-unicast',
    ' no bgp ebgp-requires-policy',
    ` neighbor ${n} remote-as ${o.speakerAs}`,
    ` neighbor ${n} description vipd-speaker`,
    ` neighbor ${n} timers ${keepalive} ${o.holdTime}`,
    ` neighbor ${n} update-source ${o.routerIp}`,
    ...(o.peerPort !== 179 ? [` neighbor ${n} port ${o.peerPort}`] : []),
    ...(o.passive ? [` neighbor ${n} passive`] : []),
    ...(o.md5Password ? [` neighbor ${n} password ${o.md5Password}`] : []),
    ...(o.ttlSecurity ? [` neighbor ${n} ttl-security hops 1`] : []),
    ...(o.gracefulRestart ? [` neighbor ${n} graceful-restart-helper`] : []),
    ...(o.bfd ? [` neighbor ${n} bfd`, ` neighbor ${n} bfd profile vipd`] : []),
    ...family('ipv4', 'LVS_import'),
    ...(o.v6 ? family('ipv6', 'LVS_import6') : []),
    'exit',
    '',
  ].join('\n');
}

/** bfdd.conf: the profile bgpd's `neighbor … bfd profile vipd` uses. */
export function frrBfddConfig(o: Pick<ResolvedOptions, 'dir' | 'bfd'>): string {
  const b = o.bfd ?? { intervalMs: 300, multiplier: 3 };
  return [
    'hostname lab-frr-bfdd',
    `log file ${o.dir}/bfdd.log informational`,
    'log timestamp precision 6',
    'bfd',
    ' profile vipd',
    `  transmit-interval ${b.intervalMs}`,
    `  receive-interval ${b.intervalMs}`,
    `  detect-multiplier ${b.multiplier}`,
    ' exit',
    'exit',
    '',
  ].join('\n');
}
