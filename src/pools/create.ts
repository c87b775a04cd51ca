import type { Logger } from '../log/logger.js';
import { redactUrl } from '../log/redact.js';
import type { Clock } from '../time/clock.js';
import { EtcdSource } from './etcd-source.js';
import { FileSource } from './file-source.js';
import { HttpSource } from './http-source.js';
import type { PoolSource } from './types.js';

export interface PoolSourceOptions {
  clock: Clock;
  logger?: Logger;
  /** Poll interval for file:// and http(s)://, ms (a service's pool-interval). */
  intervalMs?: number;
  /** Request timeout for http(s):// and etcd, ms (a service's pool-timeout). */
  timeoutMs?: number;
  /** Extra trusted CA (PEM) for https:// and etcds://. */
  ca?: string | Buffer;
  /** A service's pool-max-servers; default 10000. */
  maxServers?: number;
}

/** The source for a service's `config` URL: file://, http(s)://, etcd(s)://. */
export function createPoolSource(url: string, o: PoolSourceOptions): PoolSource {
  const scheme = url.slice(0, url.indexOf(':') + 1);
  const common = { clock: o.clock, ...(o.logger ? { logger: o.logger } : {}), ...(o.maxServers ? { maxServers: o.maxServers } : {}) };
  const timing = { ...(o.intervalMs ? { intervalMs: o.intervalMs } : {}), ...(o.timeoutMs ? { timeoutMs: o.timeoutMs } : {}) };
  switch (scheme) {
    case 'file:': return new FileSource(url, { ...common, ...(o.intervalMs ? { intervalMs: o.intervalMs } : {}) });
    case 'http:': case 'https:': return new HttpSource(url, { ...common, ...timing, ...(o.ca ? { ca: o.ca } : {}) });
    case 'etcd:': case 'etcds:': return new EtcdSource(url, { ...common, ...(o.timeoutMs ? { timeoutMs: o.timeoutMs } : {}), ...(o.ca ? { ca: o.ca } : {}) });
    default: throw new Error(`${redactUrl(url)}: unsupported pool URL scheme (use file://, http://, https://, etcd://, etcds://)`);
  }
}
