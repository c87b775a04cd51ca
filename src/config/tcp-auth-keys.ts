/**
 * TCP-MD5 (RFC 2385) and GTSM (RFC 5082) keys of a BGP peer, in [global] (default of every peer)
 * or [bgp-peer ADDRESS]: `bgp-md5-password-file` (preferred: the secret stays out of pybal.conf),
 * `bgp-md5-password`, `bgp-ttl-security`. No error message ever quotes the secret.
 */
import { readFileSync, statSync } from 'node:fs';
import { Secret } from './secret.js';
import type { SectionReader } from './section-reader.js';

export const TCP_AUTH_KEYS = ['bgp-md5-password-file', 'bgp-md5-password', 'bgp-ttl-security'] as const;

export interface TcpAuthConfig {
  /** The TCP-MD5 key; null = no TCP-MD5. */
  md5: Secret | null;
  /** GTSM: send with TTL 255, accept only TTL ≥ 254 (directly connected peers). */
  ttlSecurity: boolean;
}

/** RFC 2385 keys are bytes; Linux takes at most 80 (TCP_MD5SIG_MAXKEYLEN). */
const MAX_KEY = 80;

export function readTcpAuth(r: SectionReader, base: TcpAuthConfig | null): TcpAuthConfig {
  const fileEntry = r.entry('bgp-md5-password-file');
  const inline = r.entry('bgp-md5-password');
  let md5 = base?.md5 ?? null;
  if (fileEntry && inline) r.error(Math.max(fileEntry.line, inline.line), 'set bgp-md5-password-file or bgp-md5-password, not both');
  else if (fileEntry) md5 = fromFile(r, fileEntry.value.trim(), fileEntry.line);
  // an empty value switches TCP-MD5 off (e.g. for one peer when [global] sets a password)
  else if (inline) md5 = inline.value === '' ? null : checked(r, Buffer.from(inline.value, 'utf8'), null, 'bgp-md5-password', inline.line);
  return { md5, ttlSecurity: r.bool('bgp-ttl-security', base?.ttlSecurity ?? false) };
}

function fromFile(r: SectionReader, path: string, line: number): Secret | null {
  if (path === '') return null; // an empty value switches TCP-MD5 off for this peer
  const got = md5PasswordFile(path);
  if (typeof got === 'string') { r.error(line, got); return null; }
  return got;
}

function checked(r: SectionReader, bytes: Buffer, file: string | null, what: string, line: number): Secret | null {
  const got = md5Secret(bytes, file, what);
  if (typeof got === 'string') { r.error(line, got); return null; }
  return got;
}

/**
 * The TCP-MD5 password in the file at `path` (pybal.conf's bgp-md5-password-file, `vipd speak
 * --md5-password-file`): one line, one trailing newline dropped; refused when others may read it.
 * A message naming `key` and the file when it cannot be used.
 */
export function md5PasswordFile(path: string, key = 'bgp-md5-password-file'): Secret | string {
  let mode: number;
  try {
    const st = statSync(path);
    if (!st.isFile()) return `${key}: '${path}' is not a regular file`;
    mode = st.mode & 0o777;
  } catch (e) {
    return `${key}: cannot read '${path}': ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`;
  }
  // Refused rather than warned: a password every local user can read is not a secret.
  if (mode & 0o007) return `${key}: '${path}' is accessible to others (mode ${mode.toString(8).padStart(4, '0')}); chmod o-rwx '${path}' (e.g. 0400 or 0640, owner root)`;
  let bytes: Buffer;
  try { bytes = readFileSync(path); } catch (e) {
    return `${key}: cannot read '${path}': ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`;
  }
  // One trailing newline is the file's, not the password's (echo pw > file).
  const text = bytes.toString('latin1').replace(/\r?\n$/, '');
  return md5Secret(Buffer.from(text, 'latin1'), path, `${key} '${path}'`);
}

/** RFC 2385 keys as Linux takes them: 1..80 bytes, one line. */
function md5Secret(bytes: Buffer, file: string | null, what: string): Secret | string {
  if (bytes.length === 0) return `${what}: the password is empty`;
  if (bytes.length > MAX_KEY) return `${what}: the password is ${bytes.length} bytes; TCP-MD5 takes at most ${MAX_KEY}`;
  if (bytes.includes(0x0a)) return `${what}: the password spans several lines; it must be one line`;
  return new Secret(bytes, file);
}
