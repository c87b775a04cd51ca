import { floodPrefix, POLICY, type ResolvedOptions } from '../router-types.js';

/** bird.conf with the ROUTERS.md policy; `multihop` and BIRD-internal static next-hop routes on loopback. */
export function birdConfig(o: ResolvedOptions): string {
  const loopback = o.routerIp.startsWith('127.') || o.routerIp === '::1';
  const set4 = POLICY.v4.map((p) => `${p.prefix}{${p.len},${p.len}}`).join(', ');
  const set6 = POLICY.v6.map((p) => `${p.prefix}{${p.len},${p.len}}`).join(', ');
  const channel = (afi: string) => [
    `  ${afi} {`,
    '    import filter LVS_import;',
    afi === 'ipv4' && o.exportPrefixes > 0 ? '    export where proto = "flood4";' : '    export none;',
    `    receive limit ${o.maxPrefixes} action disable;`,
    '  };',
  ];
  return [
    `log "${o.dir}/bird.log" all;`,
    `router id ${o.routerId};`,
    'timeformat protocol iso long;',
    'protocol device { scan time 10; }',
    // BIRD-internal only (there is no 'protocol kernel'): makes loopback next hops resolvable.
    ...(loopback ? ['protocol static lo_nh4 { ipv4; route 0.0.0.0/0 via "lo"; }'] : []),
    ...(loopback && o.v6 ? ['protocol static lo_nh6 { ipv6; route ::/0 via "lo"; }'] : []),
    ...(o.exportPrefixes > 0 ? [floodStatic(o.exportPrefixes)] : []),
    ...(o.bfd ? [`protocol bfd bfd1 { debug { states, events }; interface "*" { interval ${o.bfd.intervalMs} ms; multiplier ${o.bfd.multiplier}; }; }`] : []),
    `define LVS_NETS = [ ${set4} ];`,
    `define LVS_NETS6 = [ ${set6} ];`,
    'filter LVS_import {',
    '  if (net.type = NET_IP4 && net ~ LVS_NETS) || (net.type = NET_IP6 && net ~ LVS_NETS6) then {',
    `    if defined(bgp_med) then bgp_med = bgp_med + ${POLICY.medAdd}; else bgp_med = ${POLICY.medAdd};`,
    '    accept;',
    '  }',
    '  reject;',
    '}',
    'protocol bgp pybal {',
    '  description "vipd speaker";',
    `  local ${o.routerIp} port ${o.port} as ${o.routerAs};`,
    `  neighbor ${o.speakerIp} port ${o.peerPort} as ${o.speakerAs};`,
    '  strict bind yes;',
    loopback ? '  multihop 1;' : '  direct;',
    ...(o.passive ? ['  passive on;'] : []),
    ...(o.md5Password ? [`  password "${o.md5Password}";`] : []),
    ...(o.ttlSecurity ? ['  ttl security on;'] : []),
    // BIRD before 2.14 takes a peer's BFD AdminDown as a failure (not RFC 5882 §3.2) and resets the session even during a
    // graceful restart; `bfd graceful` makes a BFD down start a graceful restart (RFC 5882 §4.3, C bit clear): docs/bfd.md
    ...(o.bfd ? [`  bfd ${(o.bfd.graceful ?? o.gracefulRestart) ? 'graceful' : 'on'};`, '  debug { states, events };'] : []),
    `  hold time ${o.holdTime};`,
    `  keepalive time ${Math.max(1, Math.floor(o.holdTime / 3))};`,
    '  connect retry time 5;',
    '  error wait time 1, 10;',
    // RFC 4724 receiving speaker only (BIRD 2.0 has no RFC 8538 N bit)
    ...(o.gracefulRestart ? ['  graceful restart aware;'] : []),
    ...channel('ipv4'),
    ...(o.v6 ? channel('ipv6') : []),
    '}',
    '',
  ].join('\n');
}

/** A static protocol holding `n` blackhole /24s, exported to the speaker (a leaked table). */
function floodStatic(n: number): string {
  const lines = new Array<string>(n);
  for (let i = 0; i < n; i++) lines[i] = `  route ${floodPrefix(i)} blackhole;`;
  return `protocol static flood4 {\n  ipv4;\n${lines.join('\n')}\n}`;
}
