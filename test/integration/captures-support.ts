import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** The capture folders every capture test walks: ours (must exist) and the shared public one (when present). */
export const FIXTURE_DIR = resolve('test/fixtures/pcaps');
export const PUBLIC_DIR = resolve('..', 'shared', 'pcaps', 'public');

/** Capture files in `dir` and its subfolders (teammates keep theirs in test/fixtures/pcaps/<area>/). */
export function captureFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => /\.(pcap|pcapng|cap)$/.test(f)).sort().map((f) => join(dir, f));
}

/** SOURCES.md's "source / vendor" line per public file: fuzzer-derived ones must give typed errors. */
export function publicVendors(): Map<string, string> {
  const out = new Map<string, string>();
  const sources = join(PUBLIC_DIR, 'SOURCES.md');
  if (!existsSync(sources)) return out;
  let file = '';
  for (const line of readFileSync(sources, 'utf8').split('\n')) {
    const head = /^## (\S+\.(?:pcap|pcapng|cap))$/.exec(line);
    if (head) file = head[1]!;
    const vendor = /^- source \/ vendor: (.*)$/.exec(line);
    if (vendor && file) out.set(file, vendor[1]!);
  }
  return out;
}
