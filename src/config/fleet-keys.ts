/**
 * The [global] keys of a site's shared state (issue 17 §2): `overrides-source` (etcd:// (v2 over
 * TLS), etcd3:// or etcd3s:// URL of the site prefix), `instance-name` (this balancer in etcd; default the host
 * name) and `instance-url` (how `vipd fleet` reaches its instrumentation; default from
 * instrumentation_ips and instrumentation_port).
 */
import { parseEtcdV2Url } from './etcd-url.js';
import type { SectionReader } from './section-reader.js';

export const FLEET_KEYS = ['overrides-source', 'instance-name', 'instance-url'] as const;

export interface FleetConfig {
  overridesSource: string | null;
  instanceName: string | null;
  instanceUrl: string | null;
}

const text = (r: SectionReader, key: string): { value: string; line: number } | null => {
  const e = r.entry(key);
  if (!e) return null;
  return { value: e.value.trim().replace(/^(['"])(.*)\1$/, '$2'), line: e.line };
};

export function readFleet(r: SectionReader): FleetConfig {
  const src = text(r, 'overrides-source');
  let overridesSource: string | null = null;
  if (src) {
    if (/^etcd:\/\//i.test(src.value)) {
      // etcd v2 over TLS, as conftool's etcd and the etcd:// pools (PYBAL.md §2.3).
      try { parseEtcdV2Url(src.value); overridesSource = src.value; } catch (e) { r.error(src.line, `overrides-source: ${(e as Error).message}`); }
    } else if (/^etcds:\/\//i.test(src.value)) {
      r.error(src.line, 'overrides-source: etcds:// is not a scheme: etcd:// is etcd v2 over TLS (etcd-ca), etcd3s:// etcd v3 over TLS');
    } else if (!/^etcd3s?:\/\/[^/]+\/.+/i.test(src.value)) {
      r.error(src.line, `overrides-source must be etcd://HOST:PORT/PREFIX (v2, TLS), etcd3://HOST:PORT/PREFIX or etcd3s://HOST:PORT/PREFIX, got '${src.value}'`);
    } else overridesSource = src.value;
  }
  const name = text(r, 'instance-name');
  if (name && !/^[A-Za-z0-9][A-Za-z0-9._-]{0,252}$/.test(name.value)) {
    r.error(name.line, `instance-name must be a host-name-like word (letters, digits, . _ -), got '${name.value}'`);
  }
  const url = text(r, 'instance-url');
  if (url && !/^https?:\/\/[^/]+\/?$/i.test(url.value)) r.error(url.line, `instance-url must be http://HOST:PORT/, got '${url.value}'`);
  return { overridesSource, instanceName: name?.value ?? null, instanceUrl: url?.value ?? null };
}
