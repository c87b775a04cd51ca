import { readFile } from 'node:fs/promises';
import { parseConfig } from './schema.js';
import type { ConfigResult } from './types.js';

/** Reads and parses a pybal.conf; an unreadable file is an error (PyBal silently ran empty). */
export async function loadConfig(path: string): Promise<ConfigResult> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    const reason = (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message;
    return { ok: false, errors: [{ file: path, line: 0, message: `cannot read config: ${reason}` }], warnings: [] };
  }
  return parseConfig(text, path);
}
