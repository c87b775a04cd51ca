import { promises as dns } from 'node:dns';
import type { LookupFunction } from 'node:net';
import type { Clock } from '../time/clock.js';
import { parseV2Read, parseV2Watch, type V2Read, type V2Watch } from './etcd2-parse.js';
import { request, stream } from './http-request.js';

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
export async function readDir(c: Etcd2Conn, ep: Etcd2Endpoint, dir: string, signal: AbortSignal): Promise<V2Read> {
  const res = await request(keysUrl(ep, dir, 'recursive=true'), { ...tlsOf(c, signal), maxBytes: MAX_BYTES });
  return parseV2Read(dir, res.status, res.body, header(res.headers['x-etcd-index']));
}

/**
 * One long poll, `?wait=true&recursive=true&waitIndex=N`. `onWatching` once etcd has taken the
 * watch (headers received), with its X-Etcd-Index: etcd's index when the watch began; any change
 * under the directory up to it would have been answered at once. Resolves null when `renewMs`
 * passed with no change (asked again by the caller: a silently dead member is noticed).
 */
export async function watchDir(c: Etcd2Conn, ep: Etcd2Endpoint, dir: string, waitIndex: number, signal: AbortSignal,
  renewMs: number, onWatching: (etcdIndex: number | null) => void): Promise<V2Watch | null> {
  const local = new AbortController();
  const onAbort = (): void => local.abort();
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
  return parseV2Watch(dir, status, body);
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
