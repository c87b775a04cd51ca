/**
 * `admin-token-file` (issue 15 §1): `NAME:TOKEN` lines; the name is the author of a write. The
 * file must be private to its owner; a presented token is compared with every stored one in
 * constant time (SHA-256 of both, then timingSafeEqual), so timing tells nothing of either.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';

export class TokenFileError extends Error {}

export interface AdminTokens {
  readonly path: string;
  /** The token's name, or null when no stored token matches. */
  match(presented: string): string | null;
}

const MIN_TOKEN = 16;
// RFC 6750 §2.1 b64token: what a Bearer header can carry.
const TOKEN = /^[A-Za-z0-9._~+/=-]+$/;
const digest = (s: string): Buffer => createHash('sha256').update(s, 'utf8').digest();

/** Parses the file's text; errors name `path:line`. */
export function parseTokens(text: string, path: string): { name: string; token: string }[] {
  const out: { name: string; token: string }[] = [];
  const errors: string[] = [];
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const at = `${path}:${i + 1}`;
    const c = line.indexOf(':');
    const name = c === -1 ? '' : line.slice(0, c).trim();
    const token = c === -1 ? '' : line.slice(c + 1).trim();
    if (!/^[A-Za-z0-9._@-]+$/.test(name)) errors.push(`${at}: expected NAME:TOKEN, NAME of letters, digits, '.', '_', '@', '-'`);
    else if (token.length < MIN_TOKEN || !TOKEN.test(token)) errors.push(`${at}: the token of '${name}' must be at least ${MIN_TOKEN} characters of letters, digits and -._~+/=`);
    else if (out.some((t) => t.name === name)) errors.push(`${at}: '${name}' is listed twice`);
    else out.push({ name, token });
  });
  if (errors.length) throw new TokenFileError(errors.join('\n'));
  if (out.length === 0) throw new TokenFileError(`${path}: no NAME:TOKEN line`);
  return out;
}

/** Reads and checks the file: refused when group or others may read or write it. */
export function readAdminTokens(path: string): AdminTokens {
  let mode: number;
  let text: string;
  try {
    mode = statSync(path).mode;
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new TokenFileError(`admin-token-file ${path}: ${(e as Error).message}`);
  }
  if (mode & 0o077) {
    throw new TokenFileError(`admin-token-file ${path}: mode ${(mode & 0o777).toString(8).padStart(4, '0')} lets group or others `
      + `read or write it; run chmod 600 ${path}`);
  }
  const entries = parseTokens(text, path).map((t) => ({ name: t.name, digest: digest(t.token) }));
  return {
    path,
    match: (presented) => {
      const d = digest(presented);
      let found: string | null = null;
      // Every entry is compared, whatever matched, so the time does not depend on which one did.
      for (const e of entries) if (timingSafeEqual(d, e.digest) && found === null) found = e.name;
      return found;
    },
  };
}

/** The token of an `Authorization: Bearer TOKEN` header (RFC 6750 §2.1), null when there is none. */
export function bearer(header: string | null): string | null {
  const m = header === null ? null : /^Bearer +(\S+)\s*$/i.exec(header);
  if (m && !TOKEN.test(m[1]!)) return null;
  return m ? m[1]! : null;
}
