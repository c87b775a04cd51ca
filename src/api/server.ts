/**
 * The instrumentation HTTP server: PyBal's endpoints plus /bgp, /vips and /metrics. JSON when
 * any Accept header includes application/json (PyBal wanted an exact match), text otherwise.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../log/logger.js';
import { metricsText } from './metrics.js';
import type { StatusSource } from './types.js';
import {
  alertsView, bgpView, notFoundView, poolsView, poolView, serverView, vipsView, type Body,
} from './views.js';

export interface ApiOptions {
  source: StatusSource;
  /** Addresses to bind (PyBal's instrumentation_ips); default loopback v4 and v6. */
  hosts?: string[];
  /** PyBal's instrumentation_port; 0 picks a free port. */
  port: number;
  log: Logger;
}

export interface ApiServer {
  /** Bound address:port pairs, e.g. ["127.0.0.1:9090"]. */
  readonly addresses: string[];
  close(): Promise<void>;
}

export function wantsJson(req: IncomingMessage): boolean {
  const accept = req.headers.accept;
  return accept !== undefined && accept.toLowerCase().includes('application/json');
}

/** Routes a path to a body, or null for 404. Exported for tests of the routing alone. */
export function route(path: string, src: StatusSource): Body | null {
  const parts = path.replace(/\/+$/, '').split('/').slice(1).map(decodeURIComponent);
  const st = () => src.coordinator();
  if (parts[0] === 'pools') {
    if (parts.length === 1) return poolsView(st().pools);
    const pool = st().pools.find((p) => p.name === parts[1]);
    if (!pool) return null;
    if (parts.length === 2) return poolView(pool);
    const server = pool.servers.find((s) => s.host === parts[2]);
    return parts.length === 3 && server ? serverView(server) : null;
  }
  if (parts.length !== 1) return null;
  if (parts[0] === 'alerts') return alertsView(src);
  if (parts[0] === 'bgp') return bgpView(src.bgp(), src.now());
  if (parts[0] === 'vips') return vipsView(st().vips);
  return null;
}

function handle(req: IncomingMessage, res: ServerResponse, src: StatusSource, log: Logger): void {
  const json = wantsJson(req);
  const send = (status: number, type: string, body: string): void => {
    res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body), 'cache-control': 'no-store' });
    res.end(req.method === 'HEAD' ? undefined : body);
  };
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.setHeader('allow', 'GET, HEAD');
    send(405, 'text/plain', 'Only GET and HEAD are supported\n');
    return;
  }
  let path: string;
  try {
    path = new URL(req.url ?? '/', 'http://x').pathname;
  } catch {
    path = '/';
  }
  try {
    if (path === '/metrics') {
      send(200, 'text/plain; version=0.0.4; charset=utf-8', metricsText(src));
      return;
    }
    let body: Body | null;
    try {
      body = route(path, src);
    } catch (e) {
      if (e instanceof URIError) body = null; else throw e;
    }
    const status = body ? 200 : 404;
    const b = body ?? notFoundView();
    if (json) send(status, 'application/json', JSON.stringify(b.json));
    else send(status, 'text/plain; charset=utf-8', b.text);
  } catch (e) {
    log.error(`instrumentation request failed: ${e instanceof Error ? e.message : String(e)}`, { path });
    send(500, 'text/plain', 'internal error\n');
  }
}

function listen(server: Server, host: string, port: number): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    const onError = (e: Error): void => reject(e);
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve(server.address() as AddressInfo);
    });
  });
}

/**
 * Starts one listener per address. An address that cannot be bound is logged and skipped
 * (e.g. ::1 on a host without IPv6); it is an error only when none could be bound.
 */
export async function startApiServer(opts: ApiOptions): Promise<ApiServer> {
  const hosts = opts.hosts ?? ['127.0.0.1', '::1'];
  const servers: Server[] = [];
  const addresses: string[] = [];
  const failures: string[] = [];
  let port = opts.port;
  for (const host of hosts) {
    const server = createServer((req, res) => handle(req, res, opts.source, opts.log));
    try {
      const a = await listen(server, host, port);
      if (port === 0) port = a.port;
      servers.push(server);
      addresses.push(a.family === 'IPv6' ? `[${a.address}]:${a.port}` : `${a.address}:${a.port}`);
    } catch (e) {
      const msg = `instrumentation: cannot listen on ${host.includes(':') ? `[${host}]` : host}:${port}: ${e instanceof Error ? e.message : String(e)}`;
      failures.push(msg);
      opts.log.warn(msg);
    }
  }
  if (servers.length === 0) throw new Error(failures.join('; ') || 'instrumentation: no address to listen on');
  return {
    addresses,
    close: () => Promise.all(servers.map((s) => new Promise<void>((r) => {
      s.close(() => r());
      s.closeAllConnections();
    }))).then(() => undefined),
  };
}
