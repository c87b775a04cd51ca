import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

/** Full path of an executable, searching PATH and the sbin folders; null when absent. */
export function findTool(name: string): string | null {
  if (name.includes('/')) {
    try { accessSync(name, constants.X_OK); return name; } catch { return null; }
  }
  const dirs = [...(process.env.PATH ?? '').split(delimiter), '/usr/sbin', '/sbin', '/usr/lib/frr'];
  for (const d of dirs) {
    const p = join(d, name);
    try { accessSync(p, constants.X_OK); return p; } catch { /* keep looking */ }
  }
  return null;
}

export const inCI = (): boolean => process.env.CI === 'true' || process.env.CI === '1';

/** The part of tap's Test that requireTool uses (tap's `skip` is overloaded, hence the loose type). */
export interface SkippableTest {
  fail(message: string): unknown;
  comment(message: string): unknown;
  skip(...args: never[]): unknown;
}

/**
 * Returns the tool's path, or null after failing the test (CI) or skipping it loudly (locally).
 * Usage: `const bird = requireTool(t, 'bird'); if (!bird) return;`
 */
export function requireTool(t: SkippableTest, name: string, why = ''): string | null {
  const p = findTool(name);
  if (p) return p;
  const msg = `${name} not found${why ? ` (${why})` : ''}; run test/lab/install-deps.sh as root`;
  if (inCI()) t.fail(`CI=true and ${msg}`);
  else {
    process.stderr.write(`\n!!! SKIPPING: ${msg}\n\n`);
    t.comment(`SKIPPED: ${msg}`);
    (t.skip as unknown as (name: string) => void)(msg);
  }
  return null;
}
