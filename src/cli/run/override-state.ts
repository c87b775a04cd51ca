/**
 * The state file (issue 15 §1): operator overrides as JSON, `{"version": 1, "overrides": {...}}`,
 * written atomically (temp file, fsync, rename, fsync of the directory) so a crash leaves the
 * old file or the new one, never half of one. Read at start; a missing file is no overrides.
 */
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import {
  NO_OVERRIDES, OVERRIDE_STATES, parseRfc3339, type InstanceOverride, type OverrideSet, type ServerOverride,
} from '../../coordinator/overrides.js';

export const STATE_FILE = 'state.json';

export class StateFileError extends Error {}

const isStr = (v: unknown): v is string => typeof v === 'string';
const isTime = (v: unknown): boolean => isStr(v) && parseRfc3339(v) !== null;

function checkCommon(o: Record<string, unknown>, at: string): void {
  if (!isStr(o.reason) || !isStr(o.author)) throw new StateFileError(`${at}: reason and author must be strings`);
  if (!isTime(o.since)) throw new StateFileError(`${at}: since must be an RFC 3339 time`);
  if (o.expires !== null && !isTime(o.expires)) throw new StateFileError(`${at}: expires must be an RFC 3339 time or null`);
}

/** Parses the file's text; errors name the file and the entry. */
export function parseState(text: string, path: string): OverrideSet {
  let doc: unknown;
  try { doc = JSON.parse(text); } catch (e) { throw new StateFileError(`${path}: not valid JSON: ${(e as Error).message}`); }
  const d = doc as { version?: unknown; overrides?: { servers?: unknown; instance?: unknown } } | null;
  if (typeof d !== 'object' || d === null || d.version !== 1 || typeof d.overrides !== 'object' || d.overrides === null) {
    throw new StateFileError(`${path}: expected {"version": 1, "overrides": {"servers": [...], "instance": ...}}`);
  }
  const { servers, instance } = d.overrides;
  if (!Array.isArray(servers)) throw new StateFileError(`${path}: overrides.servers must be a list`);
  const out: ServerOverride[] = servers.map((raw: unknown, i) => {
    const at = `${path}: overrides.servers[${i}]`;
    const o = raw as Record<string, unknown>;
    if (typeof o !== 'object' || o === null || !isStr(o.pool) || !isStr(o.host)) throw new StateFileError(`${at}: pool and host must be strings`);
    if (!(OVERRIDE_STATES as readonly unknown[]).includes(o.state)) throw new StateFileError(`${at}: state must be one of ${OVERRIDE_STATES.join(', ')}`);
    checkCommon(o, at);
    return { pool: o.pool, host: o.host, state: o.state as ServerOverride['state'], reason: o.reason as string, author: o.author as string,
      since: o.since as string, expires: (o.expires ?? null) as string | null, forced: o.forced === true };
  });
  let inst: InstanceOverride | null = null;
  if (instance !== null && instance !== undefined) {
    const o = instance as Record<string, unknown>;
    const at = `${path}: overrides.instance`;
    if (typeof o !== 'object' || o.state !== 'depooled') throw new StateFileError(`${at}: state must be depooled`);
    checkCommon(o, at);
    inst = { state: 'depooled', reason: o.reason as string, author: o.author as string, since: o.since as string, expires: (o.expires ?? null) as string | null };
  }
  return { servers: out, instance: inst };
}

/** The overrides in `path`; none when the file does not exist. */
export function loadState(path: string): OverrideSet {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return NO_OVERRIDES;
    throw new StateFileError(`state-file ${path}: ${(e as Error).message}`);
  }
  return parseState(text, path);
}

/** Replaces `path` with the overrides, atomically; throws StateFileError (the old file stays). */
export function saveState(path: string, set: OverrideSet): void {
  const dir = dirname(path);
  const tmp = join(dir, `.${basename(path)}.${process.pid}.tmp`);
  try {
    mkdirSync(dir, { recursive: true, mode: 0o755 });
    const fd = openSync(tmp, 'w', 0o600);
    try {
      writeSync(fd, JSON.stringify({ version: 1, overrides: set }, null, 2) + '\n');
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path);
    const dfd = openSync(dir, 'r');
    try { fsyncSync(dfd); } finally { closeSync(dfd); }
  } catch (e) {
    try { unlinkSync(tmp); } catch { /* not created */ }
    throw new StateFileError(`state-file ${path}: cannot write: ${(e as Error).message}`);
  }
}
