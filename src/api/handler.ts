/**
 * One HTTP request, in the API worker thread: limits first, then a (shared) status snapshot,
 * then the body. PyBal's endpoints plus /bgp, /vips, /metrics and the operator's
 * POST /pools/<service>/confirm-removal. JSON when any Accept header includes application/json.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import ipaddr from 'ipaddr.js';
import { metricsBody } from './metrics.js';
import { handleOverrides } from './overrides-handler.js';
import { isPagePath, pageAnswer, pageAsset } from './page/index.js';
import type { OverrideWrite, StatusSnapshot, WriteAnswer } from './types.js';
import {
  alertsView, bgpView, notFoundView, poolsView, poolView, serverView, vipsView, type Body,
} from './views.js';

export interface HandlerContext {
  /** The current status, already redacted. */
  snapshot(): Promise<StatusSnapshot>;
  /** /metrics kept rendered (metrics-cache.ts), or null: render it from snapshot(). */
  metrics?(): Buffer | null | Promise<Buffer | null>;
  /** Asks the main thread to confirm a held pool removal; null when this vipd has no such action. */
  confirm(service: string): Promise<{ ok: boolean; message: string } | null>;
  /** Sends a write to /overrides to the main thread; null when this vipd takes none. */
  write(w: OverrideWrite): Promise<WriteAnswer | null>;
  /** The Host header names this server (DNS-rebinding guard); absent: every Host is accepted. */
  hostAllowed?(host: string | undefined): boolean;
  /** false when the client is over its request rate. */
  allow(client: string): boolean;
  limitHit(limit: string, client: string, detail: string): void;
  log(message: string): void;
  maxBodyBytes: number;
}

export function wantsJson(req: IncomingMessage): boolean {
  const accept = req.headers.accept;
  return accept !== undefined && accept.toLowerCase().includes('application/json');
}

/** A browser's navigation: the status page (issue 15 §3) instead of text. */
export function wantsHtml(req: IncomingMessage): boolean {
  const accept = req.headers.accept;
  return accept !== undefined && accept.toLowerCase().includes('text/html');
}

/** Routes a path to a body, or null for 404. Exported for tests of the routing alone. */
export function route(path: string, snap: StatusSnapshot): Body | null {
  const parts = path.replace(/\/+$/, '').split('/').slice(1).map(decodeURIComponent);
  const st = snap.coordinator;
  if (parts[0] === 'pools') {
    if (parts.length === 1) return poolsView(st.pools);
    const pool = st.pools.find((p) => p.name === parts[1]);
    if (!pool) return null;
    if (parts.length === 2) return poolView(pool, snap.counters, snap.checks);
    const server = pool.servers.find((s) => s.host === parts[2]);
    return parts.length === 3 && server ? serverView(server) : null;
  }
  if (parts.length !== 1) return null;
  if (parts[0] === 'alerts') return alertsView(st);
  if (parts[0] === 'bgp') return bgpView(snap.bgp, snap.now);
  if (parts[0] === 'vips') return vipsView(st.vips, snap.bgp);
  return null;
}

export function isLoopback(address: string): boolean {
  if (!ipaddr.isValid(address)) return false;
  let a = ipaddr.parse(address);
  if (a.kind() === 'ipv6' && (a as ipaddr.IPv6).isIPv4MappedAddress()) a = (a as ipaddr.IPv6).toIPv4Address();
  return a.range() === 'loopback';
}

/** The service of `/pools/<service>/confirm-removal`, or null for any other path. */
function confirmTarget(path: string): string | null {
  const m = /^\/pools\/([^/]+)\/confirm-removal\/?$/.exec(path);
  if (!m) return null;
  try { return decodeURIComponent(m[1]!); } catch { return null; }
}

/** Reads at most `max` bytes of body; false (and the socket closed) when it is longer. */
function readBody(req: IncomingMessage, max: number): Promise<boolean> {
  return new Promise((resolve) => {
    let n = 0;
    req.on('data', (c: Buffer) => {
      n += c.length;
      if (n > max) resolve(false);
    });
    req.on('end', () => resolve(n <= max));
    req.on('error', () => resolve(false));
  });
}

export async function handle(req: IncomingMessage, res: ServerResponse, ctx: HandlerContext): Promise<void> {
  const json = wantsJson(req);
  const client = req.socket.remoteAddress ?? 'unknown';
  const send = (status: number, type: string, body: string | Buffer, headers: Record<string, string> = {}): void => {
    if (res.headersSent || res.destroyed) return;
    res.writeHead(status, { ...headers, 'content-type': type, 'content-length': Buffer.byteLength(body), 'cache-control': 'no-store' });
    res.end(req.method === 'HEAD' ? undefined : body);
  };
  const sendBody = (status: number, b: Body): void => {
    if (json) send(status, 'application/json', JSON.stringify(b.json));
    else send(status, 'text/plain; charset=utf-8', b.text);
  };
  if (ctx.hostAllowed && !ctx.hostAllowed(req.headers.host)) {
    // Issue 15 §1: a name other than this server's own (DNS rebinding) is refused, whatever the path.
    send(421, 'text/plain', `Host ${JSON.stringify(req.headers.host ?? '')} is not a name of this server\n`);
    return;
  }
  if (!ctx.allow(client)) {
    ctx.limitHit('request rate', client, 'answered 429');
    send(429, 'text/plain', 'Too many requests\n', { 'retry-after': '1' });
    return;
  }
  const length = Number(req.headers['content-length'] ?? 0);
  if (!(length <= ctx.maxBodyBytes)) {
    ctx.limitHit('body size', client, `content-length ${req.headers['content-length']}`);
    send(413, 'text/plain', 'Request body too large\n', { connection: 'close' });
    return;
  }
  let path: string;
  try {
    path = new URL(req.url ?? '/', 'http://x').pathname;
  } catch {
    path = '/';
  }
  try {
    const service = confirmTarget(path);
    if (service !== null) {
      await confirmRemoval(req, service, client, ctx, send, sendBody);
      return;
    }
    if (await handleOverrides(req, path, client, ctx, send, sendBody)) return;
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      send(405, 'text/plain', 'Only GET and HEAD are supported\n', { allow: 'GET, HEAD' });
      return;
    }
    if (isPagePath(path, wantsHtml(req))) {
      const a = pageAsset(path) ?? pageAnswer(path, await ctx.snapshot());
      send(a.status, a.type, a.body, a.headers);
      return;
    }
    const ready = path === '/metrics' ? await ctx.metrics?.() : null;
    if (ready) {
      send(200, 'text/plain; version=0.0.4; charset=utf-8', ready);
      return;
    }
    const snap = await ctx.snapshot();
    if (path === '/metrics') {
      send(200, 'text/plain; version=0.0.4; charset=utf-8', metricsBody(snap));
      return;
    }
    let body: Body | null;
    try {
      body = route(path, snap);
    } catch (e) {
      if (e instanceof URIError) body = null; else throw e;
    }
    sendBody(body ? 200 : 404, body ?? notFoundView());
  } catch (e) {
    ctx.log(`instrumentation request for ${path} failed: ${e instanceof Error ? e.message : String(e)}`);
    send(503, 'text/plain', 'status unavailable\n');
  }
}

async function confirmRemoval(
  req: IncomingMessage, service: string, client: string, ctx: HandlerContext,
  send: (status: number, type: string, body: string, headers?: Record<string, string>) => void,
  sendBody: (status: number, b: Body) => void,
): Promise<void> {
  if (req.method !== 'POST') {
    send(405, 'text/plain', 'Only POST is supported\n', { allow: 'POST' });
    return;
  }
  if (!isLoopback(client)) {
    send(403, 'text/plain', 'Only loopback clients may confirm a pool removal\n');
    return;
  }
  if (!(await readBody(req, ctx.maxBodyBytes))) {
    ctx.limitHit('body size', client, 'body too long');
    send(413, 'text/plain', 'Request body too large\n', { connection: 'close' });
    return;
  }
  const snap = await ctx.snapshot();
  if (!snap.coordinator.pools.some((p) => p.name === service)) {
    sendBody(404, notFoundView());
    return;
  }
  const r = await ctx.confirm(service);
  if (r === null) {
    send(501, 'text/plain', 'This vipd cannot confirm pool removals\n');
    return;
  }
  const status = r.ok ? 200 : 409;
  sendBody(status, { json: r, text: r.message + '\n' });
}
