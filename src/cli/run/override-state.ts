/**
 * The state file (issue 15 §1): operator overrides as JSON, `{"version": 1, "overrides": {...}}`,
 * written atomically (temp file, fsync, rename, fsync of the directory) so a crash leaves the
 * old file or the new one, never half of one. Read at start; a missing file is no overrides.
 */
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { instanceEntry, OverrideEntryError, serverEntry } from '../../coordinator/override-entries.js';
import { NO_OVERRIDES, type OverrideSet } from '../../coordinator/overrides.js';

export const STATE_FILE = 'state.json';

export class StateFileError extends Error {}

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
  try {
    const out = servers.map((raw: unknown, i) => serverEntry(raw, `${path}: overrides.servers[${i}]`));
    const inst = instance === null || instance === undefined ? null : instanceEntry(instance, `${path}: overrides.instance`);
    return { servers: out, instance: inst };
  } catch (e) {
    throw e instanceof OverrideEntryError ? new StateFileError(e.message) : e;
  }
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
