/** Foundry / Brocade NetIron configuration for a site's routers. Pure. */
import type { Site, SiteRouter } from './site.js';
import { header, md5Note, SECRET } from './text.js';

export function renderFoundry(site: Site): string {
  const out: string[] = [];
  for (const r of site.routers) out.push(...router(site, r));
  return out.join('\n') + '\n';
}

function router(site: Site, r: SiteRouter): string[] {
  const g = 'PyBal';
  const out = [...header('!', site, r)];
  site.v4.forEach((p, i) => out.push(`ip prefix-list LVS seq ${5 * (i + 1)} permit ${p.prefix}${p.prefix.endsWith('/32') ? '' : ' ge 32'}`));
  site.v6.forEach((p, i) => out.push(`ipv6 prefix-list LVS6 seq ${5 * (i + 1)} permit ${p.prefix}${p.prefix.endsWith('/128') ? '' : ' ge 128'}`));
  out.push('ip prefix-list none seq 5 deny 0.0.0.0/0 le 32');
  if (site.v6.length) out.push('ipv6 prefix-list none6 seq 5 deny ::/0 le 128');
  // as the seed's Foundry: the prefix list alone; MED is compared as the balancers send it
  out.push('!');
  out.push('router bgp', ` local-as ${r.as}`, ` neighbor ${g} peer-group`, ` neighbor ${g} remote-as ${site.balancerAs}`,
    ` neighbor ${g} description "vipd balancers"`, ` neighbor ${g} update-source ${r.address}`,
    ` neighbor ${g} timers keep-alive ${site.keepalive} hold-time ${site.hold}`);
  if (r.md5From) out.push(...md5Note('!', r).map((l) => ` ${l}`), ` neighbor ${g} password ${SECRET}`);
  if (r.bfd) out.push(` neighbor ${g} bfd holddown-interval ${r.bfd.intervalMs * r.bfd.multiplier}`);
  for (const b of site.balancers) out.push(` neighbor ${b} peer-group ${g}`);
  if (site.v4.length) {
    out.push(' address-family ipv4 unicast', `  neighbor ${g} prefix-list LVS in`, `  neighbor ${g} prefix-list none out`,
      `  neighbor ${g} maximum-prefix ${site.limitV4} teardown`, ' exit-address-family');
  }
  if (site.v6.length) {
    out.push(' address-family ipv6 unicast', `  neighbor ${g} activate`, `  neighbor ${g} prefix-list LVS6 in`, `  neighbor ${g} prefix-list none6 out`,
      `  neighbor ${g} maximum-prefix ${site.limitV6} teardown`, ' exit-address-family');
  }
  out.push('!');
  return out;
}
