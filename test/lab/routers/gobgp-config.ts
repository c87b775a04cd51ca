import { POLICY, type ResolvedOptions } from '../router-types.js';

/** gobgpd.toml with the ROUTERS.md policy (global import policy, default reject; export nothing). */
export function gobgpConfig(o: ResolvedOptions): string {
  const prefixSet = (name: string, list: readonly { prefix: string; len: number }[]) => [
    '[[defined-sets.prefix-sets]]',
    `  prefix-set-name = "${name}"`,
    ...list.flatMap((p) => [
      '  [[defined-sets.prefix-sets.prefix-list]]',
      `    ip-prefix = "${p.prefix}"`,
      `    masklength-range = "${p.len}..${p.len}"`,
    ]),
  ];
  const statement = (name: string, set: string) => [
    '  [[policy-definitions.statements]]',
    `    name = "${name}"`,
    '    [policy-definitions.statements.conditions.match-prefix-set]',
    `      prefix-set = "${set}"`,
    '      match-set-options = "any"',
    '    [policy-definitions.statements.actions]',
    '      route-disposition = "accept-route"',
    '    [policy-definitions.statements.actions.bgp-actions]',
    `      set-med = "+${POLICY.medAdd}"`,
  ];
  const family = (name: string) => [
    '  [[neighbors.afi-safis]]',
    '    [neighbors.afi-safis.config]',
    `      afi-safi-name = "${name}"`,
    '    [neighbors.afi-safis.prefix-limit.config]',
    `      max-prefixes = ${o.maxPrefixes}`,
    ...(o.gracefulRestart ? ['    [neighbors.afi-safis.mp-graceful-restart.config]', '      enabled = true'] : []),
  ];
  return [
    '[global.config]',
    `  as = ${o.routerAs}`,
    `  router-id = "${o.routerId}"`,
    `  port = ${o.port}`,
    `  local-address-list = ["${o.routerIp}"]`,
    '[global.apply-policy.config]',
    '  import-policy-list = ["LVS_import"]',
    '  default-import-policy = "reject-route"',
    '  export-policy-list = []',
    '  default-export-policy = "reject-route"',
    ...prefixSet('LVS-service-ips', POLICY.v4),
    ...prefixSet('LVS-service-ips6', POLICY.v6),
    '[[policy-definitions]]',
    '  name = "LVS_import"',
    ...statement('lvs-v4', 'LVS-service-ips'),
    ...statement('lvs-v6', 'LVS-service-ips6'),
    '[[neighbors]]',
    '  [neighbors.config]',
    `    neighbor-address = "${o.speakerIp}"`,
    `    peer-as = ${o.speakerAs}`,
    '    description = "vipd-speaker"',
    ...(o.md5Password ? [`    auth-password = "${o.md5Password}"`] : []),
    '  [neighbors.timers.config]',
    `    hold-time = ${o.holdTime}`,
    `    keepalive-interval = ${Math.max(1, Math.floor(o.holdTime / 3))}`,
    '    connect-retry = 5',
    '    idle-hold-time-after-reset = 1',
    '  [neighbors.transport.config]',
    `    local-address = "${o.routerIp}"`,
    `    remote-port = ${o.peerPort}`,
    ...(o.passive ? ['    passive-mode = true'] : []),
    ...(o.ttlSecurity ? ['  [neighbors.ttl-security.config]', '    enabled = true', '    ttl-min = 255'] : []),
    // RFC 4724 helper only, with the RFC 8538 N bit
    ...(o.gracefulRestart ? ['  [neighbors.graceful-restart.config]', '    enabled = true', '    helper-only = true', '    notification-enabled = true'] : []),
    ...family('ipv4-unicast'),
    ...(o.v6 ? family('ipv6-unicast') : []),
    '',
  ].join('\n');
}
