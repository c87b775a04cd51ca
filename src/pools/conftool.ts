import type { PoolServer } from './types.js';

/**
 * One conftool value, `{"pooled": "yes"|"no"|"inactive", "weight": N}`, for the host named by the
 * key's last path component (WMF-TODAY.md "conftool's pools"; PYBAL.md §2.3): yes = enabled,
 * no = present but disabled, inactive = not in the pool. Shared by the etcd v2 and v3 sources.
 */
export type ConftoolEntry =
  | { kind: 'server'; server: PoolServer }
  | { kind: 'absent' }
  | { kind: 'bad'; why: string };

export function conftoolEntry(host: string, value: string): ConftoolEntry {
  let v: unknown;
  try { v = JSON.parse(value); } catch { return { kind: 'bad', why: 'value is not JSON' }; }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return { kind: 'bad', why: 'value must be an object {"pooled": ..., "weight": N}' };
  const o = v as { pooled?: unknown; weight?: unknown };
  if (o.pooled === 'inactive') return { kind: 'absent' };
  if (o.pooled !== 'yes' && o.pooled !== 'no') return { kind: 'bad', why: 'pooled must be "yes", "no" or "inactive"' };
  const weight = o.weight ?? 10;
  if (typeof weight !== 'number' || !Number.isInteger(weight) || weight < 0 || weight > 65535) return { kind: 'bad', why: 'weight must be an integer 0-65535' };
  return { kind: 'server', server: { host, weight, enabled: o.pooled === 'yes' } };
}

/** A value as an alert may quote it: JSON-quoted, cut at 200 characters. */
export function quoteValue(value: string): string {
  return JSON.stringify(value.length > 200 ? `${value.slice(0, 200)}...` : value);
}
