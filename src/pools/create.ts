import { readFileSync } from 'node:fs';
import type { EtcdTlsConfig } from '../config/etcd-keys.js';
import type { Logger } from '../log/logger.js';
import { redactUrl } from '../log/redact.js';
import type { Clock } from '../time/clock.js';
import { EtcdSource } from './etcd-source.js';
import { Etcd2Source } from './etcd2-source.js';
import { FileSource } from './file-source.js';
import { HttpSource } from './http-source.js';
import type { StoreTls } from './store-types.js';
import type { PoolSource } from './types.js';

/** etcd:// TLS settings (a service's etcd-insecure, etcd-ca, etcd-cert, etcd-key). */
export interface EtcdTlsFiles {
  insecure?: boolean;
  caFile?: string | null;
  certFile?: string | null;
  keyFile?: string | null;
}

export interface PoolSourceOptions {
  clock: Clock;
  logger?: Logger;
  /** Poll interval for file:// and http(s)://, ms (a service's pool-interval). */
  intervalMs?: number;
  /** Request timeout for http(s):// and etcd, ms (a service's pool-timeout). */
  timeoutMs?: number;
  /** Extra trusted CA (PEM) for https://, etcd:// and etcd3s://. */
  ca?: string | Buffer;
  /** A service's pool-max-servers; default 10000. */
  maxServers?: number;
  etcd?: EtcdTlsFiles;
}

/** The etcd:// settings of a service's config. */
export function etcdTlsFiles(c: EtcdTlsConfig): EtcdTlsFiles {
  return { insecure: c.etcdInsecure, caFile: c.etcdCa, certFile: c.etcdCert, keyFile: c.etcdKey };
}

function read(what: string, path: string): Buffer {
  try { return readFileSync(path); } catch (e) { throw new Error(`${what}: cannot read '${path}': ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`); }
}

/** The etcd-ca / etcd-cert / etcd-key files read (errors name the key), for etcd:// and etcd3s://. */
export function readEtcdTls(e: EtcdTlsFiles, ca?: string | Buffer): StoreTls {
  const trusted = e.caFile ? read('etcd-ca', e.caFile) : ca;
  return {
    ...(trusted ? { ca: trusted } : {}), ...(e.insecure ? { insecure: true } : {}),
    ...(e.certFile ? { cert: read('etcd-cert', e.certFile) } : {}), ...(e.keyFile ? { key: read('etcd-key', e.keyFile) } : {}),
  };
}

/** The source for a service's `config` URL: file://, http(s)://, etcd:// (v2, TLS), etcd3(s):// (v3). */
export function createPoolSource(url: string, o: PoolSourceOptions): PoolSource {
  const scheme = url.slice(0, url.indexOf(':') + 1).toLowerCase();
  const common = { clock: o.clock, ...(o.logger ? { logger: o.logger } : {}), ...(o.maxServers ? { maxServers: o.maxServers } : {}) };
  const timing = { ...(o.intervalMs ? { intervalMs: o.intervalMs } : {}), ...(o.timeoutMs ? { timeoutMs: o.timeoutMs } : {}) };
  const timeout = o.timeoutMs ? { timeoutMs: o.timeoutMs } : {};
  switch (scheme) {
    case 'file:': return new FileSource(url, { ...common, ...(o.intervalMs ? { intervalMs: o.intervalMs } : {}) });
    case 'http:': case 'https:': return new HttpSource(url, { ...common, ...timing, ...(o.ca ? { ca: o.ca } : {}) });
    case 'etcd:': return new Etcd2Source(url, { ...common, ...timeout, ...readEtcdTls(o.etcd ?? {}, o.ca) });
    // etcd3s:// trusts etcd-ca too (the v3 gateway has no client-certificate option here).
    case 'etcd3:': case 'etcd3s:': {
      const ca = readEtcdTls({ caFile: o.etcd?.caFile ?? null }, o.ca).ca;
      return new EtcdSource(url, { ...common, ...timeout, ...(ca ? { ca } : {}) });
    }
    default: throw new Error(`${redactUrl(url)}: unsupported pool URL scheme (use file://, http://, https://, etcd:// (v2, TLS), etcd3://, etcd3s://)`);
  }
}
