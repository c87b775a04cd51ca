/**
 * TLS settings of etcd:// pools (etcd v2 over TLS, PYBAL.md §2.3), read the same way in [global]
 * (defaults) and in a service (overrides): `etcd-insecure` (PyBal's no-verification behaviour,
 * warned), `etcd-ca` (an extra trusted CA, PEM; the system store and NODE_EXTRA_CA_CERTS are
 * always trusted), `etcd-cert` and `etcd-key` (a client certificate, PEM).
 */
import { accessSync, constants } from 'node:fs';
import type { SectionReader } from './section-reader.js';

export const ETCD_KEYS = ['etcd-insecure', 'etcd-ca', 'etcd-cert', 'etcd-key'] as const;

export interface EtcdTlsConfig {
  etcdInsecure: boolean;
  etcdCa: string | null;
  etcdCert: string | null;
  etcdKey: string | null;
}

export const ETCD_TLS_DEFAULTS: EtcdTlsConfig = { etcdInsecure: false, etcdCa: null, etcdCert: null, etcdKey: null };

export function readEtcdTls(r: SectionReader, base: EtcdTlsConfig): EtcdTlsConfig {
  const c: EtcdTlsConfig = {
    etcdInsecure: r.bool('etcd-insecure', base.etcdInsecure),
    etcdCa: file(r, 'etcd-ca', base.etcdCa),
    etcdCert: file(r, 'etcd-cert', base.etcdCert),
    etcdKey: file(r, 'etcd-key', base.etcdKey),
  };
  const insecure = r.entry('etcd-insecure');
  if (insecure && !insecure.inherited && c.etcdInsecure) {
    r.warn(insecure.line, 'etcd-insecure = yes: etcd server certificates are not verified (PyBal\'s behaviour); prefer etcd-ca');
  }
  if ((c.etcdCert === null) !== (c.etcdKey === null) && (r.has('etcd-cert') || r.has('etcd-key'))) {
    r.error((r.entry('etcd-cert') ?? r.entry('etcd-key'))!.line, 'etcd-cert and etcd-key go together: set both or neither');
  }
  return c;
}

/** A readable file path; an unreadable one is an error at its line. */
function file(r: SectionReader, key: string, def: string | null): string | null {
  const e = r.entry(key);
  if (!e) return def;
  const p = e.value.trim();
  if (p === '') return null;
  try { accessSync(p, constants.R_OK); } catch (err) {
    r.error(e.line, `${key}: cannot read '${p}': ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    return def;
  }
  return p;
}
