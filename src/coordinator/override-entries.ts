/**
 * One override as stored (the state file's entries, the values in etcd), checked field by field.
 * Pure; errors name `at` (the file and entry, or the etcd key) and the field.
 */
import { OVERRIDE_STATES, parseRfc3339, type InstanceOverride, type ServerOverride } from './overrides.js';

export class OverrideEntryError extends Error {}

const isStr = (v: unknown): v is string => typeof v === 'string';
const isTime = (v: unknown): boolean => isStr(v) && parseRfc3339(v) !== null;

function object(raw: unknown, at: string): Record<string, unknown> {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new OverrideEntryError(`${at}: must be a JSON object`);
  return raw as Record<string, unknown>;
}

function common(o: Record<string, unknown>, at: string): { reason: string; author: string; since: string; expires: string | null } {
  if (!isStr(o.reason) || !isStr(o.author)) throw new OverrideEntryError(`${at}: reason and author must be strings`);
  if (!isTime(o.since)) throw new OverrideEntryError(`${at}: since must be an RFC 3339 time`);
  const expires = o.expires ?? null;
  if (expires !== null && !isTime(expires)) throw new OverrideEntryError(`${at}: expires must be an RFC 3339 time or null`);
  return { reason: o.reason, author: o.author, since: o.since as string, expires: expires as string | null };
}

/** A server override; `where` gives pool and host when the location (an etcd key) names them. */
export function serverEntry(raw: unknown, at: string, where?: { pool: string; host: string }): ServerOverride {
  const o = object(raw, at);
  const pool = where?.pool ?? o.pool;
  const host = where?.host ?? o.host;
  if (!isStr(pool) || !isStr(host)) throw new OverrideEntryError(`${at}: pool and host must be strings`);
  if (!(OVERRIDE_STATES as readonly unknown[]).includes(o.state)) throw new OverrideEntryError(`${at}: state must be one of ${OVERRIDE_STATES.join(', ')}`);
  return { pool, host, state: o.state as ServerOverride['state'], ...common(o, at), forced: o.forced === true };
}

export function instanceEntry(raw: unknown, at: string): InstanceOverride {
  const o = object(raw, at);
  if (o.state !== 'depooled') throw new OverrideEntryError(`${at}: state must be depooled`);
  return { state: 'depooled', ...common(o, at) };
}
