/** BIRD 2 configuration for a site's routers (a fragment: add to bird.conf). Pure. */
import type { Site, SitePrefix, SiteRouter } from './site.js';
import { header, md5Note, SECRET } from './text.js';

export function renderBird(site: Site): string {
  const out: string[] = [];
  for (const r of site.routers) out.push(...router(site, r));
  return out.join('\n') + '\n';
}

/** `net{len,len}`: the network and every /32 (/128) inside it; an exact VIP is its own network. */
const set = (ps: SitePrefix[]): string => `[ ${ps.map((p) => `${p.prefix}{${p.len},${p.len}}`).join(', ')} ]`;
const name = (a: string): string => a.replace(/[.:]/g, '_');

function router(site: Site, r: SiteRouter): string[] {
  const med = `if defined(bgp_med) then bgp_med = bgp_med + ${site.medAdd}; else bgp_med = ${site.medAdd};`;
  const out = [...header('#', site, r)];
  if (site.v4.length) out.push(`define LVS_NETS = ${set(site.v4)};`);
  if (site.v6.length) out.push(`define LVS_NETS6 = ${set(site.v6)};`);
  out.push('', 'filter LVS_import {');
  if (site.v4.length) out.push(`  if net.type = NET_IP4 && net ~ LVS_NETS then { ${med} accept; }`);
  if (site.v6.length) out.push(`  if net.type = NET_IP6 && net ~ LVS_NETS6 then { ${med} accept; }`);
  out.push('  reject;', '}', '', 'template bgp PYBAL {', '  description "vipd balancers";', `  local ${r.address} as ${r.as};`,
    '  direct;', `  hold time ${site.hold};`, `  keepalive time ${site.keepalive};`);
  if (r.md5From) out.push(...md5Note('  #', r), `  password "${SECRET}";`);
  // With graceful restart, BIRD < 2.14 resets the session on vipd's AdminDown and drops the kept routes (docs/bfd.md).
  const bfd = r.gracefulRestart ? 'bfd graceful;  # vipd restarts gracefully: a BFD AdminDown must not drop its routes;' : 'bfd on;  #';
  if (r.bfd) out.push(`  ${bfd} with a \`protocol bfd\` whose interval is ${r.bfd.intervalMs} ms, multiplier ${r.bfd.multiplier}`);
  if (site.v4.length) out.push(`  ipv4 { import filter LVS_import; export none; receive limit ${site.limitV4} action disable; };`);
  if (site.v6.length) out.push(`  ipv6 { import filter LVS_import; export none; receive limit ${site.limitV6} action disable; };`);
  out.push('}', '');
  for (const b of site.balancers) out.push(`protocol bgp vipd_${name(b)} from PYBAL { neighbor ${b} as ${site.balancerAs}; }`);
  out.push('');
  return out;
}
