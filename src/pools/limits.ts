/**
 * Pool size limits (issue 11): a pool text or list over a limit is refused whole before it is
 * parsed, so a runaway file or HTTP body costs one cheap scan, never the daemon.
 */
import type { PoolFormat } from './parse.js';

export interface PoolLimits {
  /** Most servers in one list (the service's pool-max-servers). */
  maxServers: number;
  /** Most bytes in one pool text (file or HTTP body). */
  maxBytes: number;
  /** Most lines in one pool text. */
  maxLines: number;
}

export const POOL_MAX_SERVERS = 10_000;
export const POOL_MAX_BYTES = 16 * 1024 * 1024;
export const POOL_MAX_LINES = 100_000;

export const DEFAULT_LIMITS: Readonly<PoolLimits> = { maxServers: POOL_MAX_SERVERS, maxBytes: POOL_MAX_BYTES, maxLines: POOL_MAX_LINES };

export function limitsWith(maxServers?: number): PoolLimits {
  return { ...DEFAULT_LIMITS, ...(maxServers ? { maxServers } : {}) };
}

const MIB = 1024 * 1024;

export function formatBytes(n: number): string {
  return n >= MIB ? `${+(n / MIB).toFixed(1)} MiB` : `${n} bytes`;
}

/** The refusal for a text of `bytes` bytes, or null when it is within the limit. */
export function checkBytes(bytes: number, limits: PoolLimits): string | null {
  return bytes > limits.maxBytes ? `pool text is ${formatBytes(bytes)}, more than the limit of ${formatBytes(limits.maxBytes)}` : null;
}

const NL = 10;
const HASH = 35;

/**
 * Why this text must not be parsed, or null. One pass without parsing: bytes, lines, and for the
 * one-server-per-line legacy format the server lines against pool-max-servers.
 */
export function checkPoolText(text: string, format: PoolFormat, limits: PoolLimits): string | null {
  const bytes = checkBytes(Buffer.byteLength(text, 'utf8'), limits);
  if (bytes) return bytes;
  let lines = 0;
  let entries = 0;
  let start = 0;
  while (start < text.length) {
    let end = text.indexOf('\n', start);
    if (end === -1) end = text.length;
    lines++;
    if (format === 'legacy') {
      let i = start;
      while (i < end && isSpace(text.charCodeAt(i))) i++;
      if (i < end && text.charCodeAt(i) !== HASH) entries++;
    }
    start = end + 1;
  }
  if (lines > limits.maxLines) return `pool text has ${lines} lines, more than the limit of ${limits.maxLines}`;
  if (entries > limits.maxServers) return `pool text has ${entries} server lines, more than pool-max-servers ${limits.maxServers}`;
  return null;
}

/** The refusal for a list of `count` servers, or null. */
export function checkServers(count: number, limits: Pick<PoolLimits, 'maxServers'>): string | null {
  return count > limits.maxServers ? `${count} servers, more than pool-max-servers ${limits.maxServers}` : null;
}

function isSpace(c: number): boolean {
  return c === 32 || c === 9 || c === 13 || c === NL || c === 11 || c === 12;
}
