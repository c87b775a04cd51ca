/**
 * Operator overrides (issue 15 §1), pure: validate a request, derive a server's effective place in
 * IPVS, check the depool threshold, end what expired. No I/O, no clock (times are passed in).
 *
 *   depooled — out of IPVS whatever its health;
 *   drained  — kept in IPVS (when health would keep it) with weight 0: established connections finish;
 *   pooled   — pinned in IPVS even when down (not when disabled by its pool source or unresolved).
 */

export const OVERRIDE_STATES = ['depooled', 'drained', 'pooled'] as const;
export type OverrideState = (typeof OVERRIDE_STATES)[number];

/** One server's override, as stored, listed by GET /overrides and answered by PUT. */
export interface ServerOverride {
  pool: string;
  host: string;
  state: OverrideState;
  reason: string;
  /** The admin token's name. */
  author: string;
  /** RFC 3339 (UTC, ms). */
  since: string;
  expires: string | null;
  /** Set with `"force": true` past the depool threshold. */
  forced: boolean;
}

/** The whole balancer out of BGP (VIPs withdrawn from every router; IPVS stays). */
export interface InstanceOverride {
  state: 'depooled';
  reason: string;
  author: string;
  since: string;
  expires: string | null;
}

export interface OverrideSet {
  servers: ServerOverride[];
  instance: InstanceOverride | null;
}

export const NO_OVERRIDES: OverrideSet = { servers: [], instance: null };

/** A validated PUT body. */
export interface OverrideRequest {
  state: OverrideState;
  reason: string;
  expires: string | null;
  force: boolean;
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; field: string; error: string };

const MAX_REASON = 500;
// RFC 3339 §5.6 date-time: full date, 'T', time with optional fraction, Z or a numeric offset.
const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

const bad = <T>(field: string, error: string): Parsed<T> => ({ ok: false, field, error: `${field}: ${error}` });

/** RFC 3339 text → ms since the epoch, or null when it is not a valid RFC 3339 date-time. */
export function parseRfc3339(text: string): number | null {
  if (!RFC3339.test(text)) return null;
  const ms = Date.parse(text.replace(' ', 'T'));
  return Number.isFinite(ms) ? ms : null;
}

export const iso = (ms: number): string => new Date(ms).toISOString();

/**
 * A PUT body: `{"state", "reason", "expires"?, "force"?}`. `states` limits what is accepted (the
 * instance takes only "depooled"); `expires` must lie in the future. Errors name the field.
 */
export function parseOverrideRequest(
  body: unknown, nowMs: number, states: readonly OverrideState[] = OVERRIDE_STATES,
): Parsed<OverrideRequest> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return bad('body', 'must be a JSON object');
  const b = body as Record<string, unknown>;
  const known = ['state', 'reason', 'expires', 'force'];
  const extra = Object.keys(b).find((k) => !known.includes(k));
  if (extra !== undefined) return bad(extra, `unknown field (expected ${known.join(', ')})`);
  if (typeof b.state !== 'string' || !(states as readonly string[]).includes(b.state)) {
    return bad('state', `must be ${states.map((s) => `"${s}"`).join(' or ')}`);
  }
  if (typeof b.reason !== 'string' || b.reason.trim() === '') return bad('reason', 'must be a non-empty string');
  if (b.reason.length > MAX_REASON) return bad('reason', `must be at most ${MAX_REASON} characters`);
  let expires: string | null = null;
  if (b.expires !== undefined && b.expires !== null) {
    const ms = typeof b.expires === 'string' ? parseRfc3339(b.expires) : null;
    if (ms === null) return bad('expires', 'must be an RFC 3339 time such as 2026-12-06T18:00:00Z');
    if (ms <= nowMs) return bad('expires', `${b.expires} is not in the future`);
    expires = iso(ms);
  }
  if (b.force !== undefined && typeof b.force !== 'boolean') return bad('force', 'must be true or false');
  return { ok: true, value: { state: b.state as OverrideState, reason: b.reason.trim().replace(/\s+/g, ' '), expires, force: b.force === true } };
}

const key = (pool: string, host: string): string => `${pool}\u0000${host}`;

/** pool+host → state, for the coordinator's per-publish lookups. */
export function overrideIndex(set: OverrideSet): Map<string, OverrideState> {
  return new Map(set.servers.map((o) => [key(o.pool, o.host), o.state]));
}

export function findOverride(set: OverrideSet, pool: string, host: string): ServerOverride | undefined {
  return set.servers.find((o) => o.pool === pool && o.host === host);
}

/** The set with `o` in place of any override of the same server. */
export function withOverride(set: OverrideSet, o: ServerOverride): OverrideSet {
  return { ...set, servers: [...set.servers.filter((x) => x.pool !== o.pool || x.host !== o.host), o] };
}

export function withoutOverride(set: OverrideSet, pool: string, host: string): OverrideSet {
  return { ...set, servers: set.servers.filter((x) => x.pool !== pool || x.host !== host) };
}

/** What health alone decided for a server, and whether it could be in IPVS at all. */
export interface BaseServer { pooled: boolean; enabled: boolean; ready: boolean; weight: number }

/** The server's effective place in IPVS under its override (none: health's decision). */
export function effectiveServer(s: BaseServer, state: OverrideState | undefined): { inIpvs: boolean; weight: number } {
  switch (state) {
    case 'depooled': return { inIpvs: false, weight: s.weight };
    case 'drained': return { inIpvs: s.pooled, weight: 0 };
    case 'pooled': return { inIpvs: s.enabled && s.ready, weight: s.weight };
    default: return { inIpvs: s.pooled, weight: s.weight };
  }
}

/** What the threshold check needs of a pool. */
export interface ThresholdPool {
  name: string;
  depoolThreshold: number;
  servers: { host: string; up: boolean; enabled: boolean; ready: boolean }[];
}

const takesOut = (s: OverrideState | undefined): boolean => s === 'depooled' || s === 'drained';

/**
 * Why setting `host` to `state` would break the depool threshold (PYBAL.md §4.3: up ∧ enabled
 * servers ≥ all × threshold, here not counting servers an override takes out), or null when it
 * would not. Only a change that takes a serving server out can break it.
 */
export function thresholdRefusal(pool: ThresholdPool, set: OverrideSet, host: string, state: OverrideState): string | null {
  const idx = overrideIndex(set);
  if (!takesOut(state) || takesOut(idx.get(key(pool.name, host)))) return null;
  const serves = (s: ThresholdPool['servers'][number]): boolean => s.up && s.enabled && s.ready && !takesOut(idx.get(key(pool.name, s.host)));
  const target = pool.servers.find((s) => s.host === host);
  if (!target || !serves(target)) return null;
  const serving = pool.servers.filter(serves).length;
  const needed = pool.servers.length * pool.depoolThreshold;
  if (serving - 1 >= needed) return null;
  return `${state === 'drained' ? 'draining' : 'depooling'} ${host} would leave ${serving - 1} of ${pool.servers.length} servers `
    + `of ${pool.name} serving, below its depool-threshold ${pool.depoolThreshold} (${Math.ceil(needed)} needed); `
    + 'send "force": true to do it anyway';
}

/** The overrides still in force at `nowMs`, and those that ended. */
export function expire(set: OverrideSet, nowMs: number): { set: OverrideSet; ended: (ServerOverride | InstanceOverride)[] } {
  const over = (o: { expires: string | null }): boolean => o.expires !== null && Date.parse(o.expires) <= nowMs;
  const ended: (ServerOverride | InstanceOverride)[] = set.servers.filter(over);
  const instance = set.instance && over(set.instance) ? null : set.instance;
  if (set.instance && !instance) ended.push(set.instance);
  return ended.length ? { set: { servers: set.servers.filter((o) => !over(o)), instance }, ended } : { set, ended };
}

/** The earliest expiry (ms since the epoch), or null when nothing expires. */
export function nextExpiry(set: OverrideSet): number | null {
  const all = [...set.servers, ...(set.instance ? [set.instance] : [])].filter((o) => o.expires !== null).map((o) => Date.parse(o.expires!));
  return all.length ? Math.min(...all) : null;
}

/** One line per override, for logs, /alerts, `vipd overrides`. */
export function describeOverride(o: ServerOverride | InstanceOverride): string {
  const who = 'pool' in o ? `${o.pool}/${o.host}` : 'instance';
  return `${who} ${o.state}${'forced' in o && o.forced ? ' (forced)' : ''} by ${o.author} since ${o.since}`
    + `${o.expires ? ` until ${o.expires}` : ''}: ${o.reason}`;
}

/** The /alerts WARNING while any override is in force, or null. */
export function overridesAlert(set: OverrideSet): string | null {
  const all = [...(set.instance ? [set.instance] : []), ...set.servers];
  if (!all.length) return null;
  return `${all.length} override${all.length > 1 ? 's' : ''} in force: ${all.map(describeOverride).join('; ')}`;
}
