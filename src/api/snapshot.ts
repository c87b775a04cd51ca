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
    ...(src.gc ? { gc: src.gc() } : {}),
    ...withCounters(src.counters?.() ?? null),
  };
}

/** Issue 16 §1: the counters travel as their own field, left out when not read. */
const withCounters = (c: CountersStatus | null): { counters?: CountersStatus } => (c ? { counters: c } : {});

/**
 * redactText for the worker's messages: the same few texts come by the thousand (a health check's
 * reason names the check's URL, the same on every server), so each is scanned once; bounded.
 */
const redacted = new Map<string, string>();
const REDACTED_KEEP = 4096;
function redactOnce(text: string): string {
  if (!text.includes('://')) return text;
  let r = redacted.get(text);
  if (r === undefined) {
    if (redacted.size >= REDACTED_KEEP) redacted.clear();
    r = redactText(text);
    redacted.set(text, r);
  }
  return r;
}

/**
 * redactText applied to every string in `value` (keys included), in place, depth-bounded: the
 * worker's messages are its own structured clones, so nothing is copied a second time (copying
 * every reading of 10,000 servers kept the worker's GC busy 40% of the time).
 */
export function redactInPlace<T>(value: T, depth = 0): T {
  if (typeof value === 'string') return redactOnce(value) as T;
  if (value === null || typeof value !== 'object' || depth > 32 || ArrayBuffer.isView(value)) return value; // typed arrays: numbers only
  if (Array.isArray(value)) {
    const xs: unknown[] = value;
    for (let i = 0; i < xs.length; i++) {
      const x = xs[i];
      if (typeof x === 'string') { if (x.includes('://')) xs[i] = redactOnce(x); } else if (x !== null && typeof x === 'object') redactInPlace(x, depth + 1);
    }
    return value;
  }
  const o = value as Record<string, unknown>;
  for (const k of Object.keys(o)) {
    const v = redactInPlace(o[k], depth + 1);
    const key = redactOnce(k);
    if (key !== k) { delete o[k]; o[key] = v; } else if (v !== o[k]) o[k] = v;
  }
  return value;
}
