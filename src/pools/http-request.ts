import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import type { SecureContext } from 'node:tls';
import { tlsContext } from './trust.js';
import type { Clock } from '../time/clock.js';

const KEEPALIVE_MS = 10_000;

export interface RequestOptions {
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  timeoutMs: number;
  clock: Clock;
  /** Extra trusted CA certificates (PEM) for https; the system ones are always trusted. */
  ca?: string | Buffer;
  signal?: AbortSignal;
  /** Refuse a body longer than this (Content-Length first, then as it arrives), bytes. */
  maxBytes?: number;
  /** TLS client certificate and key (PEM). */
  cert?: string | Buffer;
  key?: string | Buffer;
  /** No certificate verification (PyBal's etcd behaviour, PYBAL.md §2.3): only when asked for. */
  insecure?: boolean;
  /** Name resolution for the host (e.g. an SRV target through a given DNS server). */
  lookup?: LookupFunction;
}

/** A body over `maxBytes`: the request was cut off without reading the rest. */
export class TooLarge extends Error {
  constructor(readonly bytes: number, readonly declared: boolean) {
    super(`body ${declared ? 'declares' : 'exceeds'} ${bytes} bytes`);
  }
}

export interface Response {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** One request with a whole-exchange timeout; TLS always verifies the certificate. */
export function request(url: URL, opts: RequestOptions): Promise<Response> {
  return new Promise((resolve, reject) => {
    const req = open(url, opts, (res) => {
      const chunks: Buffer[] = [];
      const max = opts.maxBytes ?? Infinity;
      const declared = Number(res.headers['content-length'] ?? NaN);
      if (declared > max) { cancel(); req.destroy(); reject(new TooLarge(declared, true)); return; }
      let got = 0;
      res.on('data', (c: Buffer) => {
        got += c.length;
        if (got > max) { cancel(); req.destroy(); reject(new TooLarge(got, false)); return; }
        chunks.push(c);
      });
      res.on('end', () => { cancel(); resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }); });
      res.on('error', (e) => { cancel(); reject(e); });
    });
    const cancel = opts.clock.setTimer(opts.timeoutMs, () => req.destroy(new Error(`timed out after ${opts.timeoutMs} ms`)));
    req.on('error', (e) => { cancel(); reject(e); });
    req.end(opts.body);
  });
}

/** A streaming request: `onChunk` for each piece of the body until it ends, errors or is aborted. */
export function stream(url: URL, opts: RequestOptions & { onChunk: (s: string) => void; onHeaders?: (status: number, headers: http.IncomingHttpHeaders) => void }): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = open(url, opts, (res) => {
      cancel();
      opts.onHeaders?.(res.statusCode ?? 0, res.headers);
      res.setEncoding('utf8');
      res.on('data', (c: string) => opts.onChunk(c));
      res.on('end', () => resolve());
      res.on('error', reject);
      res.on('aborted', () => reject(new Error('connection lost')));
    });
    // A long-lived watch: TCP keepalive notices a peer that vanished without closing.
    req.on('socket', (sock) => sock.setKeepAlive(true, KEEPALIVE_MS));
    const cancel = opts.clock.setTimer(opts.timeoutMs, () => req.destroy(new Error(`no response after ${opts.timeoutMs} ms`)));
    req.on('error', (e) => { cancel(); reject(e); });
    req.on('close', () => { cancel(); resolve(); });
    req.end(opts.body);
  });
}

/**
 * URL userinfo (`http://user:pass@h/`) becomes HTTP basic auth (RFC 7617 §2), sent explicitly and
 * never as part of the URL.
 */
export function basicAuth(url: URL): { target: URL; authorization?: string } {
  if (!url.username && !url.password) return { target: url };
  const target = new URL(url.href);
  target.username = '';
  target.password = '';
  return { target, authorization: basicAuthHeader(decodeURIComponent(url.username), decodeURIComponent(url.password)) };
}

/** RFC 7617 §2: `Basic base64(user:password)`. */
export function basicAuthHeader(user: string, password: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`, 'utf8').toString('base64')}`;
}

function open(url: URL, opts: RequestOptions, onResponse: (res: http.IncomingMessage) => void): http.ClientRequest {
  const auth = basicAuth(url);
  url = auth.target;
  const headers = { 'user-agent': 'vipd', ...(auth.authorization ? { authorization: auth.authorization } : {}), ...opts.headers };
  const common = { method: opts.method ?? 'GET', headers, ...(opts.signal ? { signal: opts.signal } : {}), ...(opts.lookup ? { lookup: opts.lookup } : {}) };
  if (url.protocol === 'https:') {
    const tls = tlsContext(opts);
    const o: https.RequestOptions & { secureContext: SecureContext } = { ...common, rejectUnauthorized: opts.insecure !== true, agent: tls.agent, secureContext: tls.context };
    return https.request(url, o, onResponse);
  }
  return http.request(url, common, onResponse);
}
