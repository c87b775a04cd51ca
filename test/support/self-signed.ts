import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requireTool, type SkippableTest } from './require-tool.js';

export interface KeyPair { key: Buffer; cert: Buffer }

/**
 * A self-signed EC certificate for `cn` made with openssl, valid `days` days; removed at teardown.
 * Null when openssl is missing (the test was failed under CI or skipped).
 */
export function selfSignedCert(
  t: SkippableTest & { teardown(fn: () => void): unknown },
  cn: string,
  opts: { days: number; san?: string },
): KeyPair | null {
  const openssl = requireTool(t, 'openssl', 'generates the test certificate');
  if (!openssl) return null;
  const dir = mkdtempSync(join(tmpdir(), 'vipd-cert-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  execFileSync(openssl, [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
    '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'), '-days', String(opts.days), '-subj', `/CN=${cn}`,
    ...(opts.san ? ['-addext', `subjectAltName=${opts.san}`] : []),
  ], { stdio: 'ignore' });
  return { key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) };
}
