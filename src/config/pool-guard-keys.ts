/**
 * The removal-hold keys (issue 11), read the same way in [global] (defaults) and in a service:
 * `pool-max-removal` (a share: `50%` or `0.5`) and `pool-removal-hold` (seconds, 0 = off).
 */
import type { SectionReader } from './section-reader.js';

export const POOL_GUARD_KEYS = ['pool-max-removal', 'pool-removal-hold'] as const;

export interface PoolGuardConfig {
  /** Share of a pool's enabled servers one update may remove, 0..1. */
  poolMaxRemoval: number;
  /** Seconds a removing update must persist before it applies; 0 = apply at once. */
  poolRemovalHold: number;
}

export const POOL_GUARD_DEFAULTS: PoolGuardConfig = { poolMaxRemoval: 0.5, poolRemovalHold: 60 };

export function readPoolGuard(r: SectionReader, base: PoolGuardConfig): PoolGuardConfig {
  return {
    poolMaxRemoval: share(r, 'pool-max-removal', base.poolMaxRemoval),
    poolRemovalHold: r.num('pool-removal-hold', base.poolRemovalHold, { min: 0, max: 86400 })!,
  };
}

/** `50%` or a fraction `0.5`; anything else is an error at its line. */
function share(r: SectionReader, key: string, def: number): number {
  const e = r.entry(key);
  if (!e) return def;
  const t = e.value.trim();
  const m = /^(\d+(?:\.\d+)?)\s*%$/.exec(t);
  const n = m ? Number(m[1]) / 100 : /^(\d+(?:\.\d+)?|\.\d+)$/.test(t) ? Number(t) : NaN;
  if (Number.isNaN(n) || n > 1) {
    r.error(e.line, `${key} must be a percentage (0% to 100%) or a fraction (0 to 1), got '${e.value}'`);
    return def;
  }
  return n;
}
