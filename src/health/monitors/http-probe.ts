import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { errorReason } from '../monitor.js';
import { fastHttpProbe } from './fast-http-probe.js';
import { bodyText, parseHead, peekStatus } from './http-response.js';
import type { CheckSignal } from '../check-signal.js';

export interface HttpProbeRequest {
  ip: string;
  port: number;
  tls: boolean;
  /** SNI name; omitted for IP literals. */
  servername?: string;
  verifyTls: boolean;
  /** The whole request, from `buildRequest`. */
  request: Buffer;
  /** Read the body (for expect-body); otherwise only the status is parsed. */
  wantBody: boolean;
  maxBytes: number;
  signal: CheckSignal;
}

/** How long a socket may drain the rest of a response after the check has its answer. */
const DRAIN_MS = 2000;

export type HttpProbeResult = { ok: true; status: number; body: string | null } | { ok: false; reason: string };

/** The GET a check sends: `host` is the Host header (host[:port] from the URL), `path` with query. */
export function buildRequest(host: string, path: string): Buffer {
  return Buffer.from(`GET ${path} HTTP/1.1\r\nHost: ${host}\r\nUser-Agent: vipd-health\r\nAccept: */*\r\nConnection: close\r\n\r\n`, 'latin1');
}

/**
 * A lean HTTP/1.1 GET over a fresh connection (Connection: close, no redirects, no pooling):
 * what a health check needs and nothing more, so thousands per second stay cheap. Plain-HTTP
 * checks that need only the status go through the native probe when it is built.
 */
export function httpProbe(req: HttpProbeRequest): Promise<HttpProbeResult> {
  const fast = !req.tls && !req.wantBody ? fastHttpProbe() : null;
  return fast ? fast.status(req.ip, req.port, req.request, req.signal) : socketProbe(req);
}

/** The same check through net.Socket / tls: HTTPS, bodies, and where the native probe is absent. */
export function socketProbe(req: HttpProbeRequest): Promise<HttpProbeResult> {
  return new Promise((resolve) => {
    if (req.signal.aborted) { resolve({ ok: false, reason: 'aborted' }); return; }
    let sock: Socket;
    try {
      sock = req.tls
        ? tlsConnect({
          host: req.ip, port: req.port, rejectUnauthorized: req.verifyTls,
          ...(req.servername ? { servername: req.servername } : {}),
        })
        : netConnect({ host: req.ip, port: req.port });
    } catch (e) {
      resolve({ ok: false, reason: errorReason(e) });
      return;
    }
    let done = false;
    let status: number | null = null;
    let chunks: Buffer[] = [];
    let size = 0;
    let phase = 'connect';
    const settle = (r: HttpProbeResult): void => {
      if (done) return;
      done = true;
      req.signal.removeEventListener('abort', onAbort);
      resolve(r);
    };
    const finish = (r: HttpProbeResult): void => {
      settle(r);
      sock.destroy();
    };
    const onAbort = (): void => finish({ ok: false, reason: `aborted during ${phase}` });
    req.signal.addEventListener('abort', onAbort, { once: true });

    sock.once(req.tls ? 'secureConnect' : 'connect', () => {
      phase = 'response';
      sock.write(req.request);
    });
    sock.on('data', (chunk: Buffer) => {
      if (done) return; // draining the rest until the server closes
      if (size + chunk.length > req.maxBytes) chunk = chunk.subarray(0, Math.max(0, req.maxBytes - size));
      chunks.push(chunk);
      size += chunk.length;
      if (status === null) {
        const buf = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
        chunks = [buf];
        const s = peekStatus(buf);
        if (typeof s === 'string') { finish({ ok: false, reason: s }); return; }
        if (s !== null) status = s;
      }
      if (status !== null && !req.wantBody) {
        // The status answers the check; the server closes first (Connection: close), so the
        // TIME_WAIT stays on its side. A server that keeps the socket open is cut off later.
        settle({ ok: true, status, body: null });
        sock.setTimeout(DRAIN_MS, () => sock.destroy());
      }
    });
    sock.once('end', () => {
      if (status === null) { finish({ ok: false, reason: 'connection closed before a status line' }); return; }
      if (!req.wantBody) { finish({ ok: true, status, body: null }); return; }
      const raw = Buffer.concat(chunks);
      const head = parseHead(raw);
      if (typeof head === 'string') finish({ ok: false, reason: head });
      else if (head === null) finish({ ok: false, reason: 'connection closed inside the response head' });
      else finish({ ok: true, status: head.status, body: bodyText(head, raw, req.maxBytes) });
    });
    sock.on('error', (e) => finish({ ok: false, reason: `${phase}: ${errorReason(e)}` }));
    sock.once('close', () => finish({ ok: false, reason: `connection closed during ${phase}` }));
  });
}
