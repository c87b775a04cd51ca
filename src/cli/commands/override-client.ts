/**
 * The HTTP side of `vipd depool/drain/pool/repool/overrides` (issue 15 §2): finds the token
 * (`--token-file`, else the config's `admin-token-file`), sends the request to /overrides and
 * turns the answer into what changed, or the server's refusal.
 */
import { readFileSync } from 'node:fs';
import { describeOverride, type InstanceOverride, type OverrideSet, type ServerOverride } from '../../coordinator/overrides.js';
import { parseTokens } from '../run/admin-tokens.js';
import { readConfig } from '../run/errors.js';
import { defaultConfig } from './run.js';

export class CliError extends Error {}

export interface ClientArgs { url: string; timeout: number; 'token-file'?: string; config?: string; as?: string }

/** The token to send: `--as NAME` picks a line of the file, else its first; a file of one bare token is that token. */
export function pickToken(text: string, path: string, as?: string): string {
  const lines = text.split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
  if (lines.length === 1 && !lines[0]!.includes(':') && as === undefined) return lines[0]!;
  const tokens = parseTokens(text, path);
  const t = as === undefined ? tokens[0] : tokens.find((x) => x.name === as);
  if (!t) throw new CliError(`${path}: no token named '${as}'`);
  return t.token;
}

export async function findToken(a: ClientArgs): Promise<string> {
  let path = a['token-file'];
  if (!path) {
    const config = a.config ?? defaultConfig();
    let file: string | null;
    try {
      file = (await readConfig(config)).config.global.adminTokenFile;
    } catch (e) {
      throw new CliError(`no --token-file, and the config ${config} cannot be read for admin-token-file: ${(e as Error).message.split('\n')[0]}`);
    }
    if (!file) throw new CliError(`no --token-file, and ${config} sets no admin-token-file`);
    path = file;
  }
  let text: string;
  try { text = readFileSync(path, 'utf8'); } catch (e) { throw new CliError(`cannot read the token file: ${(e as Error).message}`); }
  return pickToken(text, path, a.as);
}

/** One request; the JSON answer and status. Throws CliError when vipd cannot be reached. */
export async function request(a: ClientArgs, method: string, path: string, opts: { token?: string; body?: unknown } = {}): Promise<{ status: number; body: unknown }> {
  const base = a.url.replace(/\/+$/, '');
  let res: Response;
  try {
    res = await fetch(base + path, {
      method, signal: AbortSignal.timeout(a.timeout),
      headers: { accept: 'application/json', ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}), ...(opts.body ? { 'content-type': 'application/json' } : {}) },
      ...(opts.body ? { body: JSON.stringify(opts.body) } : {}),
    });
  } catch (e) {
    const cause = e instanceof Error && e.cause instanceof Error ? `: ${e.cause.message}` : '';
    throw new CliError(`cannot reach ${base}: ${e instanceof Error ? e.message : String(e)}${cause}\n`
      + '(is vipd running with `instrumentation = yes`? pass its address with --url)');
  }
  const text = await res.text();
  let body: unknown = text;
  try { body = JSON.parse(text); } catch { /* a text answer (421, 413, 429) */ }
  return { status: res.status, body };
}

/** The server's refusal as the CLI prints it. */
export function refusal(status: number, body: unknown): string {
  const msg = typeof body === 'object' && body !== null && 'error' in body ? String((body as { error: unknown }).error) : String(body).trim();
  return `refused (HTTP ${status}): ${msg}`;
}

export async function currentOverrides(a: ClientArgs): Promise<OverrideSet> {
  const r = await request(a, 'GET', '/overrides');
  if (r.status !== 200) throw new CliError(refusal(r.status, r.body));
  return r.body as OverrideSet;
}

export function describe(o: ServerOverride | InstanceOverride | null | undefined): string {
  return o ? describeOverride(o) : 'no override';
}
