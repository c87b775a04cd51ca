/**
 * Taking a StatusSource's reading as plain data (main thread) and hiding every secret in it
 * before anything is rendered (worker thread): every string that holds a URL goes through
 * redactText, so /alerts, /pools, /vips, /bgp and /metrics labels cannot show credentials.
 */
import { redactText } from '../log/redact.js';
import type { CountersStatus, LoopLag, StatusSnapshot, StatusSource } from './types.js';

export function takeSnapshot(src: StatusSource, loopLag: LoopLag | null): StatusSnapshot {
  return {
    coordinator: src.coordinator(), bgp: src.bgp(), ipvs: src.ipvs?.() ?? null,
    startedAt: src.startedAt, now: src.now(), loopLag,
    ...(src.checks ? { checks: src.checks() } : {}),
    ...(src.reload ? { reload: src.reload() } : {}),
    ...(src.schedule ? { schedule: src.schedule() } : {}),
    ...(src.events ? { events: src.events() } : {}),
    ...withCounters(src.counters?.() ?? null),
  };
}

/** Issue 16 §1: the counters travel as their own field, left out when not read. */
const withCounters = (c: CountersStatus | null): { counters?: CountersStatus } => (c ? { counters: c } : {});

/** A deep copy with redactText applied to every string (keys included); depth-bounded. */
export function redactDeep<T>(value: T, depth = 0): T {
  if (typeof value === 'string') return redactText(value) as T;
  if (value === null || typeof value !== 'object' || depth > 32) return value;
  if (ArrayBuffer.isView(value)) return value; // numbers only (status-delta.ts's counters)
  if (Array.isArray(value)) return value.map((v: unknown) => redactDeep(v, depth + 1)) as T;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[redactText(k)] = redactDeep(v, depth + 1);
  return out as T;
}
