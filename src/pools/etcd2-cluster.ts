/**
 * An `etcd://` URL's members (PYBAL.md §2.3): the fixed endpoints or the SRV name's targets
 * (RFC 2782 order), how to talk to them (TLS, client certificate, basic auth), and which one
 * answered last (tried first). Shared by the v2 pool source and the v2 SharedStore.
 */
import { parseEtcdV2Url, type EtcdV2Target } from '../config/etcd-url.js';
import { silentLogger, type Logger } from '../log/logger.js';
import { redactUrl } from '../log/redact.js';
import type { Clock } from '../time/clock.js';
import { eachEndpoint, makeResolver, v2EndpointText, type Etcd2Conn, type Etcd2Endpoint } from './etcd2-client.js';
import { orderSrv } from './etcd2-parse.js';
import { basicAuthHeader } from './http-request.js';

export interface Etcd2ClusterOptions {
  clock: Clock;
  logger?: Logger;
  timeoutMs?: number;
  ca?: string | Buffer;
  cert?: string | Buffer;
  key?: string | Buffer;
  insecure?: boolean;
  dnsServers?: string[];
}

export class Etcd2Cluster {
  readonly target: EtcdV2Target;
  readonly conn: Etcd2Conn;
  /** How alerts name the endpoints. */
  readonly text: string;
  private readonly resolver: ReturnType<typeof makeResolver>;
  private readonly log: Logger;
  private endpoints: Etcd2Endpoint[];
  /** The endpoint that answered last: tried first. */
  private preferred = 0;

  constructor(url: string, opts: Etcd2ClusterOptions) {
    try { this.target = parseEtcdV2Url(url); } catch (e) { throw new Error(`${redactUrl(url)}: ${(e as Error).message}`); }
    this.resolver = makeResolver(opts.dnsServers);
    const c = this.target.credentials;
    this.conn = {
      clock: opts.clock, timeoutMs: opts.timeoutMs ?? 5000,
      ...(opts.ca ? { ca: opts.ca } : {}), ...(opts.cert ? { cert: opts.cert } : {}), ...(opts.key ? { key: opts.key } : {}),
      ...(opts.insecure ? { insecure: true } : {}), ...(c ? { authorization: basicAuthHeader(c.user, c.password) } : {}),
      ...(this.resolver.lookup ? { lookup: this.resolver.lookup } : {}),
    };
    this.endpoints = this.target.endpoints;
    this.text = v2EndpointText(this.target);
    this.log = opts.logger ?? silentLogger;
  }

  /** `f` on each endpoint once, the last good one first; `answered()` marks the endpoint good. */
  async each<T>(signal: AbortSignal, f: (ep: Etcd2Endpoint, answered: () => void) => Promise<T>): Promise<T> {
    const eps = await this.resolve();
    return eachEndpoint(eps, this.preferred, signal, (ep, at) => f(ep, () => { this.preferred = at; }));
  }

  /** The fixed endpoints, or the SRV name's targets in RFC 2782 order (the last ones on a DNS failure). */
  private async resolve(): Promise<Etcd2Endpoint[]> {
    if (!this.target.srv) return this.endpoints;
    try {
      const recs = await this.resolver.srv(this.target.srv);
      if (!recs.length) throw new Error('no records');
      this.endpoints = orderSrv(recs).map((r) => ({ host: r.name, port: r.port }));
      this.preferred = 0;
    } catch (e) {
      if (!this.endpoints.length) throw new Error(`DNS SRV ${this.target.srv}: ${(e as Error).message}`);
      this.log.warn(`DNS SRV ${this.target.srv}: ${(e as Error).message}; using the endpoints found before`);
    }
    return this.endpoints;
  }
}
