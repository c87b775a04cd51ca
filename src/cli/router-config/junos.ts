/** Junos configuration (curly-brace form, `load merge`) for a site's routers. Pure. */
import type { Site, SiteRouter } from './site.js';
import { header, md5Note, SECRET } from './text.js';

export function renderJunos(site: Site): string {
  const out: string[] = [];
  for (const r of site.routers) out.push(...router(site, r));
  return out.join('\n') + '\n';
}

/** Nests `lines` under `head { ... }` with four spaces, as `show configuration` prints. */
const block = (head: string, lines: string[]): string[] => [`${head} {`, ...lines.map((l) => `    ${l}`), '}'];

function router(site: Site, r: SiteRouter): string[] {
  const filters = [...site.v4, ...site.v6].map((p) =>
    p.prefix.endsWith(`/${p.len}`) ? `route-filter ${p.prefix} exact;` : `route-filter ${p.prefix} prefix-length-range /${p.len}-/${p.len};`);
  const policy = [
    ...block('policy-statement LVS_import', [
      ...block('term vips', [...block('from', filters), ...block('then', [`metric add ${site.medAdd};`, 'accept;'])]),
      'then reject;',
    ]),
    ...block('policy-statement NONE', ['then reject;']),
  ];
  const family = (name: string, limit: number) => block(`family ${name}`, block('unicast', block('prefix-limit', [`maximum ${limit};`, 'teardown;'])));
  const group = [
    'type external;', 'description "vipd balancers";', ...block('multihop', ['ttl 1;']), `local-address ${r.address};`,
    `hold-time ${site.hold};`, 'import LVS_import;',
    ...(site.v4.length ? family('inet', site.limitV4) : []), ...(site.v6.length ? family('inet6', site.limitV6) : []),
    'export NONE;',
    ...(r.md5From ? [...md5Note('/*', r).map((l) => `${l} */`), `authentication-key "${SECRET}";`] : []),
    ...(r.bfd ? block('bfd-liveness-detection', [`minimum-interval ${r.bfd.intervalMs};`, `multiplier ${r.bfd.multiplier};`]) : []),
    `peer-as ${site.balancerAs};`,
    ...site.balancers.map((b) => `neighbor ${b};`),
  ];
  return [
    ...header('#', site, r),
    ...block('policy-options', policy),
    ...block('protocols', block('bgp', block('group PyBal', group))),
  ];
}
