/** FRR (bgpd, `frr defaults traditional`) configuration for a site's routers. Pure. */
import type { Site, SiteRouter } from './site.js';
import { header, md5Note, SECRET } from './text.js';

export function renderFrr(site: Site): string {
  const out: string[] = [];
  for (const r of site.routers) out.push(...router(site, r));
  return out.join('\n') + '\n';
}

function router(site: Site, r: SiteRouter): string[] {
  const g = 'PYBAL';
  const fams = families(site);
  const out = [...header('!', site, r)];
  site.v4.forEach((p, i) => out.push(`ip prefix-list LVS-service-ips seq ${5 * (i + 1)} permit ${p.prefix}${p.prefix.endsWith('/32') ? '' : ' ge 32'}`));
  site.v6.forEach((p, i) => out.push(`ipv6 prefix-list LVS-service-ips6 seq ${5 * (i + 1)} permit ${p.prefix}${p.prefix.endsWith('/128') ? '' : ' ge 128'}`));
  for (const f of fams) {
    // the seed's Junos import policy: accept the VIPs, metric add 10; anything else is denied
    out.push(`route-map ${f.map} permit 10`, ` match ${f.ip} address prefix-list ${f.list}`, ` set metric +${site.medAdd}`, 'exit');
  }
  out.push('route-map NONE deny 10', 'exit', '!', `router bgp ${r.as}`);
  if (!r.address.includes(':')) out.push(` bgp router-id ${r.address}`);
  out.push(' no bgp default ipv4-unicast', ` neighbor ${g} peer-group`, ` neighbor ${g} remote-as ${site.balancerAs}`,
    ` neighbor ${g} description vipd balancers`, ` neighbor ${g} timers ${site.keepalive} ${site.hold}`, ` neighbor ${g} update-source ${r.address}`);
  if (r.md5From) out.push(...md5Note('!', r).map((l) => ` ${l}`), ` neighbor ${g} password ${SECRET}`);
  if (r.bfd) out.push(` neighbor ${g} bfd ${r.bfd.multiplier} ${r.bfd.intervalMs} ${r.bfd.intervalMs}`);
  for (const b of site.balancers) out.push(` neighbor ${b} peer-group ${g}`);
  for (const f of fams) {
    out.push(' !', ` address-family ${f.afi} unicast`, `  neighbor ${g} activate`, `  neighbor ${g} route-map ${f.map} in`,
      `  neighbor ${g} route-map NONE out`, `  neighbor ${g} maximum-prefix ${f.limit}`, ' exit-address-family');
  }
  out.push('exit', '!');
  return out;
}

function families(site: Site) {
  return [
    ...(site.v4.length ? [{ afi: 'ipv4', ip: 'ip', map: 'LVS_import', list: 'LVS-service-ips', limit: site.limitV4 }] : []),
    ...(site.v6.length ? [{ afi: 'ipv6', ip: 'ipv6', map: 'LVS_import6', list: 'LVS-service-ips6', limit: site.limitV6 }] : []),
  ];
}
