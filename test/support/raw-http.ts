/**
 * A minimal HTTP/1.1 client over a raw socket, for tests that open many connections at once or
 * send what fetch would refuse to (oversized headers). One request per connection.
 */
import { connect } from 'node:net';

export interface RawResponse { status: number; headers: string; body: string }

/** Sends `request` (the whole text) and resolves with the parsed answer, or null when the server closed without one. */
export function rawRequest(host: string, port: number, request: string, timeoutMs = 10_000): Promise<RawResponse | null> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    const s = connect({ host, port });
    s.setTimeout(timeoutMs, () => s.destroy());
    s.on('connect', () => s.write(request));
    s.on('data', (c: Buffer) => chunks.push(c));
    s.on('error', () => {});
    s.on('close', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const m = /^HTTP\/1\.[01] (\d{3})[^\r\n]*\r\n([\s\S]*?)\r\n\r\n([\s\S]*)$/.exec(text);
      resolve(m ? { status: Number(m[1]), headers: m[2]!.toLowerCase(), body: m[3]! } : null);
    });
  });
}

export const rawGet = (host: string, port: number, path: string, extra = ''): Promise<RawResponse | null> =>
  rawRequest(host, port, `GET ${path} HTTP/1.1\r\nhost: ${host.includes(':') ? `[${host}]` : host}\r\nconnection: close\r\n${extra}\r\n`);
