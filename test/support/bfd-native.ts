import { nativeAddon, nativeAddonUnavailable } from '../../src/health/monitors/native-addon.js';
import { isBfdNative, type BfdNative } from '../../src/bfd/index.js';
import { inCI, type SkippableTest } from './require-tool.js';

/** The addon's BFD functions, or null after failing the test (CI) or skipping it loudly (locally). */
export function requireBfdNative(t: SkippableTest): BfdNative | null {
  const a: unknown = nativeAddon();
  if (isBfdNative(a)) return a;
  const msg = `the native addon has no BFD: ${nativeAddonUnavailable() || 'rebuild it'} (npm run build:native)`;
  if (inCI()) t.fail(`CI=true and ${msg}`);
  else { t.comment(`SKIPPED: ${msg}`); (t.skip as unknown as (name: string) => void)(msg); }
  return null;
}
