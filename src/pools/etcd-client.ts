import type { Clock } from '../time/clock.js';
import { request, stream } from './http-request.js';
import { overItems, runSliced } from './sliced.js';

/** The etcd v3 JSON gateway (/v3/kv/range, /v3/watch): keys and values travel base64-encoded. */
export interface EtcdKv { key: string; value: string; modRevision: number }
export type EtcdEvent = { type: 'put'; kv: EtcdKv } | { type: 'delete'; key: string; modRevision: number };

export interface EtcdEndpoint {
  base: URL;
  clock: Clock;
  timeoutMs: number;
  ca?: string | Buffer;
  /** etcd v3 auth, from the URL's userinfo; the token is fetched with authenticate(). */
  credentials?: { user: string; password: string };
  token?: string;
}

/** Range and watch answers bigger than this are refused (a prefix far over pool-max-servers). */
const MAX_RANGE_BYTES = 64 * 1024 * 1024;

export function headers(ep: EtcdEndpoint): Record<string, string> {
  return { 'content-type': 'application/json', ...(ep.token ? { authorization: ep.token } : {}) };
}

/** etcd v3 auth: a simple or JWT token for the user, sent as the authorization header afterwards. */
export async function authenticate(ep: EtcdEndpoint, signal?: AbortSignal): Promise<string> {
  const c = ep.credentials;
  if (!c) throw new Error('no etcd credentials');
  const res = await request(new URL('/v3/auth/authenticate', ep.base), {
    method: 'POST', headers: { 'content-type': 'application/json' }, clock: ep.clock, timeoutMs: ep.timeoutMs,
    body: JSON.stringify({ name: c.user, password: c.password }), maxBytes: 1024 * 1024,
    ...(ep.ca ? { ca: ep.ca } : {}), ...(signal ? { signal } : {}),
  });
  if (res.status !== 200) throw new Error(`etcd authentication as '${c.user}' failed: ${describeError(res.status, res.body)}`);
  const token = (JSON.parse(res.body) as { token?: unknown }).token;
  if (typeof token !== 'string' || token === '') throw new Error(`etcd authentication as '${c.user}' gave no token`);
  return token;
}

export const b64 = (s: string): string => Buffer.from(s, 'utf8').toString('base64');
const unb64 = (s: string | undefined): string => Buffer.from(s ?? '', 'base64').toString('utf8');

/** The smallest key greater than every key with this prefix (etcd's range_end for a prefix). */
export function prefixEnd(prefix: string): string {
  const bytes = Buffer.from(prefix, 'utf8');
  for (let i = bytes.length - 1; i >= 0; i--) {
    if (bytes[i]! < 0xff) {
      const end = Buffer.from(bytes.subarray(0, i + 1));
      end[i] = end[i]! + 1;
      return end.toString('base64');
    }
  }
  return Buffer.from([0]).toString('base64');
}

interface RawKv { key?: string; value?: string; mod_revision?: string }

function kvOf(raw: RawKv): EtcdKv {
  return { key: unb64(raw.key), value: unb64(raw.value), modRevision: Number(raw.mod_revision ?? 0) };
}

export function describeError(status: number, body: string): string {
  try {
    const j = JSON.parse(body) as { error?: string; message?: string };
    return `etcd answered HTTP ${status}: ${j.message ?? j.error ?? body}`;
  } catch { return `etcd answered HTTP ${status}`; }
}

/**
 * The keys under the prefix (at most `limit`; `more` when there are others), and the store
 * revision they were read at.
 */
export async function rangePrefix(ep: EtcdEndpoint, prefix: string, signal?: AbortSignal, limit = 0): Promise<{ revision: number; kvs: EtcdKv[]; more: boolean }> {
  const res = await request(new URL('/v3/kv/range', ep.base), {
    method: 'POST', headers: headers(ep), clock: ep.clock, timeoutMs: ep.timeoutMs, maxBytes: MAX_RANGE_BYTES,
    body: JSON.stringify({ key: b64(prefix), range_end: prefixEnd(prefix), ...(limit ? { limit: String(limit) } : {}) }),
    ...(ep.ca ? { ca: ep.ca } : {}), ...(signal ? { signal } : {}),
  });
  if (res.status !== 200) throw new Error(describeError(res.status, res.body));
  const j = JSON.parse(res.body) as { header?: { revision?: string }; kvs?: RawKv[]; more?: boolean };
  const raw = j.kvs ?? [];
  const kvs: EtcdKv[] = [];
  // Decoded in slices: 10,000 keys never block the event loop for long (issue 13 §5).
  await runSliced(overItems(raw.length, (i) => { kvs.push(kvOf(raw[i]!)); }));
  return { revision: Number(j.header?.revision ?? 0), kvs, more: j.more === true };
}

export interface WatchHandlers {
  onEvents(events: EtcdEvent[], revision: number): void;
  /** The watch started; from here on no event after `fromRevision` is missed. */
  onCreated?(): void;
}

/**
 * Watches the prefix from a revision until the stream ends; rejects on errors and when etcd
 * cancels the watch (e.g. the revision was compacted), so the caller re-reads.
 */
export async function watchPrefix(ep: EtcdEndpoint, prefix: string, fromRevision: number, h: WatchHandlers, signal: AbortSignal): Promise<void> {
  const split = new JsonSplitter();
  let failure: Error | null = null;
  let status = 0;
  let errorBody = '';
  await stream(new URL('/v3/watch', ep.base), {
    method: 'POST', headers: headers(ep), clock: ep.clock, timeoutMs: ep.timeoutMs, signal,
    body: JSON.stringify({ create_request: { key: b64(prefix), range_end: prefixEnd(prefix), start_revision: String(fromRevision) } }),
    ...(ep.ca ? { ca: ep.ca } : {}),
    onHeaders: (s) => { status = s; },
    onChunk: (chunk) => {
      if (status !== 200) { errorBody += chunk; return; }
      for (const text of split.push(chunk)) {
        if (failure) return;
        failure = handleMessage(text, h);
      }
    },
  });
  if (status !== 200 && status !== 0) throw new Error(describeError(status, errorBody));
  if (failure) throw failure;
  throw new Error('etcd watch stream ended');
}

/** One watch message: events to the handlers, or the error that ends this watch. */
export function handleMessage(text: string, h: WatchHandlers): Error | null {
  let msg: { result?: WatchResult; error?: { message?: string } };
  try { msg = JSON.parse(text) as typeof msg; } catch { return new Error('etcd sent a watch message that is not JSON'); }
  if (msg.error) return new Error(`etcd watch error: ${msg.error.message ?? JSON.stringify(msg.error)}`);
  const r = msg.result;
  if (!r) return null;
  if (r.compact_revision && r.compact_revision !== '0') return new Error(`etcd compacted revision ${r.compact_revision}; re-reading`);
  if (r.canceled) return new Error(`etcd cancelled the watch${r.cancel_reason ? `: ${r.cancel_reason}` : ''}`);
  if (r.created) h.onCreated?.();
  if (r.events !== undefined && !Array.isArray(r.events)) return new Error('etcd sent a watch message whose events is not a list');
  if (r.events?.length) {
    if (r.events.some((e) => typeof e !== 'object' || e === null)) return new Error('etcd sent a watch event that is not an object');
    const events: EtcdEvent[] = r.events.map((e) => (e.type === 'DELETE'
      ? { type: 'delete', key: unb64(e.kv?.key), modRevision: Number(e.kv?.mod_revision ?? 0) }
      : { type: 'put', kv: kvOf(e.kv ?? {}) }));
    h.onEvents(events, Number(r.header?.revision ?? 0));
  }
  return null;
}

interface WatchResult {
  header?: { revision?: string };
  created?: boolean;
  canceled?: boolean;
  cancel_reason?: string;
  compact_revision?: string;
  events?: Array<{ type?: string; kv?: RawKv }>;
}

/** Splits a stream of concatenated JSON objects (the gateway's streaming form) into their texts. */
export class JsonSplitter {
  private buf = '';
  private depth = 0;
  private inString = false;
  private escaped = false;
  private start = -1;
  private scanned = 0;

  push(chunk: string): string[] {
    this.buf += chunk;
    const out: string[] = [];
    for (let i = this.scanned; i < this.buf.length; i++) {
      const c = this.buf[i];
      if (this.inString) {
        if (this.escaped) this.escaped = false;
        else if (c === '\\') this.escaped = true;
        else if (c === '"') this.inString = false;
      } else if (c === '"') this.inString = true;
      else if (c === '{') { if (this.depth++ === 0) this.start = i; }
      else if (c === '}' && this.depth > 0 && --this.depth === 0) out.push(this.buf.slice(this.start, i + 1));
    }
    if (this.depth === 0) { this.buf = ''; this.scanned = 0; } else {
      this.buf = this.buf.slice(this.start);
      this.scanned = this.buf.length;
      this.start = 0;
    }
    return out;
  }
}
