import { promises as dns } from 'node:dns';
import type { LookupFunction } from 'node:net';
import type { EtcdV2Target } from '../config/etcd-url.js';
import type { Clock } from '../time/clock.js';
import { parseV2Read, parseV2Watch, type V2Read, type V2Watch } from './etcd2-parse.js';
import { request, stream } from './http-request.js';
import { Refusal } from './retry-loop.js';

/** How the etcd v2 source talks to a member: always TLS (PYBAL.md §2.3). */
export interface Etcd2Conn {
  clock: Clock;
  timeoutMs: number;
  ca?: string | Buffer;
  cert?: string | Buffer;
  key?: string | Buffer;
  insecure?: boolean;
  /** `Basic ...` for etcd v2 auth. */
  authorization?: string;
  lookup?: LookupFunction;
}

export interface Etcd2Endpoint { host: string; port: number }

/** A watch answer or a read of the directory is refused past this size. */
const MAX_BYTES = 64 * 1024 * 1024;

export function endpointText(ep: Etcd2Endpoint): string {
  return `${ep.host.includes(':') ? `[${ep.host}]` : ep.host}:${ep.port}`;
}

function keysUrl(ep: Etcd2Endpoint, dir: string, query: string): URL {
  const path = dir.split('/').map(encodeURIComponent).join('/');
  return new URL(`https://${endpointText(ep)}/v2/keys${path}?${query}`);
}

function tlsOf(c: Etcd2Conn, signal: AbortSignal) {
  return {
    clock: c.clock, timeoutMs: c.timeoutMs, signal, headers: { 'user-agent': 'vipd', ...(c.authorization ? { authorization: c.authorization } : {}) },
    ...(c.ca ? { ca: c.ca } : {}), ...(c.cert ? { cert: c.cert } : {}), ...(c.key ? { key: c.key } : {}),
    ...(c.insecure ? { insecure: true } : {}), ...(c.lookup ? { lookup: c.lookup } : {}),
  };
}

const header = (v: string | string[] | undefined): string | undefined => (Array.isArray(v) ? v[0] : v);

/** `GET /v2/keys<dir>?recursive=true`; transport failures reject. */
export function readDir(c: Etcd2Conn, ep: Etcd2Endpoint, dir: string, signal: AbortSignal): Promise<V2Read> {
  return readKeys(c, ep, dir, signal, (status, body, index) => parseV2Read(dir, status, body, index));
}

/**
 * One long poll, `?wait=true&recursive=true&waitIndex=N`. `onWatching` once etcd has taken the
 * watch (headers received), with its X-Etcd-Index: etcd's index when the watch began; any change
 * under the directory up to it would have been answered at once. Resolves null when `renewMs`
 * passed with no change (asked again by the caller: a silently dead member is noticed).
 */
export function watchDir(c: Etcd2Conn, ep: Etcd2Endpoint, dir: string, waitIndex: number, signal: AbortSignal,
  renewMs: number, onWatching: (etcdIndex: number | null) => void): Promise<V2Watch | null> {
  return watchKeys(c, ep, dir, waitIndex, signal, renewMs, onWatching, (status, body) => parseV2Watch(dir, status, body));
}

/** watchDir's long poll, the answer read by `parse` (a pool's hosts, or any key of a tree). */
export async function watchKeys<T>(c: Etcd2Conn, ep: Etcd2Endpoint, dir: string, waitIndex: number, signal: AbortSignal,
  renewMs: number, onWatching: (etcdIndex: number | null) => void, parse: (status: number, body: string) => T): Promise<T | null> {
  const local = new AbortController();
  const onAbort = (): void => local.abort();
  // A signal aborted before this call never fires 'abort' again: without this check a stop() that
  // came while the directory was being read left the watch open until renewMs (60 s).
  if (signal.aborted) throw signal.reason instanceof Error ? signal.reason : new Error('aborted');
  signal.addEventListener('abort', onAbort);
  let renewed = false;
  const cancel = c.clock.setTimer(renewMs, () => { renewed = true; local.abort(); });
  let status = 0;
  let body = '';
  let tooBig = false;
  try {
    await stream(keysUrl(ep, dir, `wait=true&recursive=true&waitIndex=${waitIndex}`), {
      ...tlsOf(c, local.signal),
      onHeaders: (s, h) => {
        status = s;
        const index = Number(header(h['x-etcd-index']));
        if (s === 200) onWatching(Number.isSafeInteger(index) ? index : null);
      },
      onChunk: (chunk) => { if (body.length + chunk.length > MAX_BYTES) { tooBig = true; local.abort(); } else body += chunk; },
    });
  } catch (e) {
    if (renewed && !signal.aborted) return null;
    if (tooBig) throw new Error(`watch answer over ${MAX_BYTES} bytes`);
    throw e;
  } finally {
    cancel();
    signal.removeEventListener('abort', onAbort);
  }
  if (renewed && !signal.aborted && status === 200 && body === '') return null;
  if (status === 0) throw new Error('the watch ended without an answer');
  return parse(status, body);
}

/** `GET /v2/keys<dir>?recursive=true`, the answer read by `parse`; transport failures reject. */
export async function readKeys<T>(c: Etcd2Conn, ep: Etcd2Endpoint, dir: string, signal: AbortSignal,
  parse: (status: number, body: string, index: string | undefined) => T): Promise<T> {
  const res = await request(keysUrl(ep, dir, 'recursive=true'), { ...tlsOf(c, signal), maxBytes: MAX_BYTES });
  return parse(res.status, res.body, header(res.headers['x-etcd-index']));
}

/** A write (`PUT` with a form body, or `DELETE`) to one key; its status and body. */
export async function writeKey(c: Etcd2Conn, ep: Etcd2Endpoint, method: 'PUT' | 'DELETE', key: string, form: Record<string, string>, signal: AbortSignal): Promise<{ status: number; body: string }> {
  const q = new URLSearchParams(form).toString();
  const o = tlsOf(c, signal);
  const res = await request(keysUrl(ep, key, method === 'DELETE' ? q : ''), {
    ...o, method, maxBytes: 1024 * 1024,
    ...(method === 'PUT' ? { body: q, headers: { ...o.headers, 'content-type': 'application/x-www-form-urlencoded' } } : {}),
  });
  return { status: res.status, body: res.body };
}

/** How an etcd:// URL's endpoints are named in alerts: `host:port[,host:port...]`, or the SRV name. */
export function v2EndpointText(t: EtcdV2Target): string {
  return t.srv ?? t.endpoints.map(endpointText).join(',');
}

/**
 * `f` on each endpoint once, from `first`, until one succeeds; an abort or a Refusal ends at once;
 * else rejects with every endpoint's reason (an AggregateError: unreachable when all are).
 */
export async function eachEndpoint<T>(eps: Etcd2Endpoint[], first: number, signal: AbortSignal, f: (ep: Etcd2Endpoint, at: number) => Promise<T>): Promise<T> {
  const errors: Error[] = [];
  for (let i = 0; i < eps.length; i++) {
    const at = (first + i) % eps.length;
    try {
      return await f(eps[at]!, at);
    } catch (e) {
      if (signal.aborted || e instanceof Refusal) throw e;
      const err = e instanceof Error ? e : new Error(String(e));
      errors.push(Object.assign(new Error(`${endpointText(eps[at]!)}: ${err.message}`), { code: (err as NodeJS.ErrnoException).code }));
    }
  }
  throw new AggregateError(errors, errors.length ? errors.map((e) => e.message).join('; ') : 'no etcd endpoint');
}

/** An SRV name's targets, and a lookup that resolves them through the same DNS servers. */
export function makeResolver(servers?: string[]): { srv(name: string): Promise<Array<{ name: string; port: number; priority: number; weight: number }>>; lookup?: LookupFunction } {
  const r = new dns.Resolver({ timeout: 2000, tries: 2 });
  if (!servers?.length) return { srv: (name) => r.resolveSrv(name) };
  r.setServers(servers);
  const lookup: LookupFunction = (hostname, options, callback) => {
    const family = typeof options === 'object' && options ? options.family : undefined;
    const all = typeof options === 'object' && options !== null && 'all' in options && options.all === true;
    const tryV6 = (): Promise<Array<{ address: string; family: number }>> => r.resolve6(hostname).then((a) => a.map((address) => ({ address, family: 6 })));
    const pending = family === 6 ? tryV6()
      : r.resolve4(hostname).then((a) => a.map((address) => ({ address, family: 4 }))).catch((e: unknown) => { if (family === 4) throw e; return tryV6(); });
    pending.then((list) => {
      if (!list.length) throw new Error(`${hostname}: no address`);
      if (all) (callback as unknown as (e: null, a: typeof list) => void)(null, list);
      else callback(null, list[0]!.address, list[0]!.family);
    }).catch((e: NodeJS.ErrnoException) => callback(e, '', 0));
  };
  return { srv: (name) => r.resolveSrv(name), lookup };
}
