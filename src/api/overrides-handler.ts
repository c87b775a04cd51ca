/**
 * /overrides in the API worker (issue 15 §1, docs/api.md): GET lists them from the snapshot;
 * PUT and DELETE read the JSON body here and go to the main thread, which authenticates,
 * validates and applies them. Write answers are always JSON (`{"error": …}` on refusal).
 */
import type { IncomingMessage } from 'node:http';
import { describeOverride, NO_OVERRIDES } from '../coordinator/overrides.js';
import type { OverrideWrite, StatusSnapshot, WriteAnswer } from './types.js';
import type { Body } from './views.js';

export type Send = (status: number, type: string, body: string, headers?: Record<string, string>) => void;

export interface OverridesContext {
  snapshot(): Promise<StatusSnapshot>;
  /** null when this vipd takes no overrides. */
  write(w: OverrideWrite): Promise<WriteAnswer | null>;
  limitHit(limit: string, client: string, detail: string): void;
  maxBodyBytes: number;
}

/** The target of an /overrides path: the list, the instance, one server; null when not an /overrides path; 'bad' when malformed. */
export function overridesTarget(path: string): { kind: 'list' } | { kind: 'instance' } | { kind: 'server'; pool: string; host: string } | 'bad' | null {
  if (path === '/overrides' || path === '/overrides/') return { kind: 'list' };
  if (!path.startsWith('/overrides/')) return null;
  const parts = path.slice('/overrides/'.length).replace(/\/$/, '').split('/');
  try {
    if (parts.length === 1 && parts[0] === 'instance') return { kind: 'instance' };
    if (parts.length === 2 && parts[0] && parts[1]) return { kind: 'server', pool: decodeURIComponent(parts[0]), host: decodeURIComponent(parts[1]) };
  } catch { /* bad percent-encoding */ }
  return 'bad';
}

export function overridesView(snap: StatusSnapshot): Body {
  const set = snap.coordinator.overrides ?? NO_OVERRIDES;
  const all = [...(set.instance ? [set.instance] : []), ...set.servers];
  return { json: set, text: all.length ? all.map((o) => describeOverride(o) + '\n').join('') : 'no overrides\n' };
}

/** The body as text, or null (and 413 sent) when longer than `max`. */
function readText(req: IncomingMessage, max: number): Promise<string | null> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let n = 0;
    req.on('data', (c: Buffer) => {
      n += c.length;
      if (n <= max) chunks.push(c); else resolve(null);
    });
    req.on('end', () => resolve(n <= max ? Buffer.concat(chunks).toString('utf8') : null));
    req.on('error', () => resolve(null));
  });
}

export async function handleOverrides(
  req: IncomingMessage, path: string, client: string, ctx: OverridesContext, send: Send, sendBody: (status: number, b: Body) => void,
): Promise<boolean> {
  const target = overridesTarget(path);
  if (target === null) return false;
  const json = (status: number, body: unknown, headers: Record<string, string> = {}): void =>
    send(status, 'application/json', JSON.stringify(body), headers);
  if (target === 'bad') { json(404, { error: `no such override path ${path}: use /overrides, /overrides/instance or /overrides/POOL/HOST` }); return true; }
  if (target.kind === 'list') {
    if (req.method !== 'GET' && req.method !== 'HEAD') { send(405, 'text/plain', 'Only GET and HEAD are supported\n', { allow: 'GET, HEAD' }); return true; }
    sendBody(200, overridesView(await ctx.snapshot()));
    return true;
  }
  if (req.method !== 'PUT' && req.method !== 'DELETE') {
    json(405, { error: 'only PUT and DELETE are supported here' }, { allow: 'PUT, DELETE' });
    return true;
  }
  const text = await readText(req, ctx.maxBodyBytes);
  if (text === null) {
    ctx.limitHit('body size', client, 'body too long');
    send(413, 'text/plain', 'Request body too large\n', { connection: 'close' });
    return true;
  }
  let body: unknown;
  if (req.method === 'PUT') {
    try {
      body = JSON.parse(text);
    } catch (e) {
      json(400, { error: `body: not valid JSON: ${e instanceof Error ? e.message : String(e)}`, field: 'body' });
      return true;
    }
  }
  const answer = await ctx.write({
    method: req.method, pool: target.kind === 'server' ? target.pool : null, host: target.kind === 'server' ? target.host : null,
    body, authorization: req.headers.authorization ?? null, client,
  });
  if (answer === null) { json(501, { error: 'this vipd takes no overrides' }); return true; }
  json(answer.status, answer.body, answer.status === 401 ? { 'www-authenticate': 'Bearer realm="vipd"' } : {});
  return true;
}
