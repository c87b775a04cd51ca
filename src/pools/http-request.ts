import http from 'node:http';
import https from 'node:https';
import { rootCertificates } from 'node:tls';
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
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => { cancel(); resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }); });
      res.on('error', (e) => { cancel(); reject(e); });
    });
    const cancel = opts.clock.setTimer(opts.timeoutMs, () => req.destroy(new Error(`timed out after ${opts.timeoutMs} ms`)));
    req.on('error', (e) => { cancel(); reject(e); });
    req.end(opts.body);
  });
}

/** A streaming request: `onChunk` for each piece of the body until it ends, errors or is aborted. */
export function stream(url: URL, opts: RequestOptions & { onChunk: (s: string) => void; onHeaders?: (status: number) => void }): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = open(url, opts, (res) => {
      cancel();
      opts.onHeaders?.(res.statusCode ?? 0);
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

function open(url: URL, opts: RequestOptions, onResponse: (res: http.IncomingMessage) => void): http.ClientRequest {
  const common = { method: opts.method ?? 'GET', headers: { 'user-agent': 'vipd', ...opts.headers }, ...(opts.signal ? { signal: opts.signal } : {}) };
  if (url.protocol === 'https:') {
    return https.request(url, { ...common, rejectUnauthorized: true, ...(opts.ca ? { ca: [...rootCertificates, opts.ca.toString()] } : {}) }, onResponse);
  }
  return http.request(url, common, onResponse);
}
