/**
 * Renders a pybal.conf in the shape Wikimedia's puppet template gives it
 * (wikimedia/operations-puppet modules/pybal/templates/pybal.conf.erb, read to learn its output,
 * not copied): the same sections, keys, order, comments and blank lines, and values as Ruby
 * prints them (`true`/`false`, arrays through `inspect`: `["a", "b"]`, sorted monitor names).
 */

/** A value as hiera gives it. */
export type RubyValue = string | number | boolean | RubyValue[];

export interface PuppetService {
  name: string;
  port: number;
  description: string;
  /** Sub-service name → VIP of this site; 'default' takes the service's name. */
  ip: Record<string, string>;
  lvs: {
    class: string;
    /** Default tcp. */
    protocol?: 'tcp' | 'udp';
    /** Default wrr. */
    scheduler?: string;
    /** Sites whose realservers are reached through IPIP (with profile::pybal::ipip_enabled). */
    ipipEncapsulation?: string[];
    conftool: { cluster: string; service: string };
    bgp?: boolean;
    depoolThreshold: number | string;
    monitors?: Record<string, Record<string, RubyValue>>;
  };
}

export interface PuppetGlobal {
  bgp?: string;
  'bgp-peer-address': string;
  'bgp-nexthop-ipv4': string;
  'bgp-nexthop-ipv6': string;
  instrumentation?: string;
  instrumentation_ips?: string;
  advertised_instrumentation_ips?: string[];
  'bgp-local-ips'?: string;
  'bgp-med'?: number;
  'dry-run'?: string;
}

export interface PuppetInput {
  global: PuppetGlobal;
  services: PuppetService[];
  site: string;
  /** 'etcd' (conftool) or 'http' (config-master); profile::pybal::config_source. */
  config: 'etcd' | 'http';
  configHost: string;
  conftoolPrefix?: string;
  ipipEnabled: boolean;
  lvsClassHosts?: Record<string, string[]>;
}

/** Ruby's `inspect` of a string (enough for the printable ASCII a pybal.conf holds). */
const inspectString = (s: string): string => `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/#\{/g, '\\#{')}"`;

/** Ruby's `inspect`, as `<%= array %>` and `value.inspect` print it. */
export function rubyInspect(v: RubyValue): string {
  if (Array.isArray(v)) return `[${v.map(rubyInspect).join(', ')}]`;
  return typeof v === 'string' ? inspectString(v) : String(v);
}

/** `<%= value %>`: Ruby's to_s (an Array's to_s is its inspect). */
const toS = (v: RubyValue): string => (Array.isArray(v) ? rubyInspect(v) : String(v));

const byKey = <T>(o: Record<string, T>): [string, T][] => Object.entries(o).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));

export function renderPybalConf(p: PuppetInput): string {
  const g = p.global;
  const out: string[] = ['# PyBal configuration file', '# This file is managed by Puppet!', '', '[global]'];
  out.push(`bgp = ${g.bgp ?? 'no'}`, 'bgp-local-asn = 64600', `bgp-peer-address = ${g['bgp-peer-address']}`, '#bgp-as-path = 64600 64601');
  out.push(`bgp-nexthop-ipv4 = ${g['bgp-nexthop-ipv4']}`, `bgp-nexthop-ipv6 = ${g['bgp-nexthop-ipv6']}`, `instrumentation = ${g.instrumentation ?? 'yes'}`);
  if (g.instrumentation_ips !== undefined) out.push(`instrumentation_ips = ${g.instrumentation_ips}`);
  if (g.advertised_instrumentation_ips !== undefined) out.push(`advertised_instrumentation_ips = ${toS(g.advertised_instrumentation_ips)}`);
  if (g['bgp-local-ips'] !== undefined) out.push(`bgp-local-ips = ${g['bgp-local-ips']}`);
  if (g['bgp-med'] !== undefined) out.push('# Lower values prefered over higher ones', `bgp-med = ${g['bgp-med']}`);
  out.push('', g['dry-run'] !== undefined ? `dry-run = ${g['dry-run']}` : '', '#', '# LVS service definitions', '#', '');
  for (const s of [...p.services].sort((a, b) => (a.name < b.name ? -1 : 1))) {
    for (const [sub, ip] of byKey(s.ip)) {
      const name = sub === 'default' ? s.name : sub;
      const lvs = s.lvs;
      const proto = lvs.protocol ?? 'tcp';
      out.push(`# SERVICE ${name}`, `# Class: ${lvs.class}`, `# Description: ${s.description}`,
        `# LVS balancers: ${(p.lvsClassHosts?.[lvs.class] ?? ['lvs1001', 'lvs1002']).join(' ')}`);
      out.push(proto !== 'tcp' ? `[${name}_${s.port}_${proto}]` : `[${name}_${s.port}]`);
      out.push(`protocol = ${proto}`, `ip = ${ip}`, `port = ${s.port}`, `scheduler = ${lvs.scheduler ?? 'wrr'}`, 'ops = false');
      out.push(`tunneling = ${p.ipipEnabled && (lvs.ipipEncapsulation ?? []).includes(p.site)}`, '');
      out.push(p.config === 'etcd'
        ? `config = etcd://${p.configHost}${p.conftoolPrefix ?? '/conftool/v1'}/pools/${p.site}/${lvs.conftool.cluster}/${lvs.conftool.service}/`
        : `config = http://${p.configHost}/pybal/${p.site}/${s.name}`);
      out.push('');
      if (lvs.bgp !== undefined) out.push(`bgp = ${lvs.bgp}`);
      out.push(`depool-threshold = ${lvs.depoolThreshold}`);
      if (lvs.monitors) {
        out.push(`monitors = ${rubyInspect(byKey(lvs.monitors).map(([m]) => m))}`, '');
        for (const [m, params] of byKey(lvs.monitors)) {
          out.push(`# ${m} monitor configuration`);
          for (const [k, v] of byKey(params)) out.push(`${m.toLowerCase()}.${k} = ${Array.isArray(v) ? rubyInspect(v) : String(v)}`);
        }
      }
      out.push('');
    }
    out.push('');
  }
  return out.join('\n') + '\n';
}
