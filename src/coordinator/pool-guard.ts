/**
 * The removal hold (issue 11): a pool update that would take away more than `maxRemoval` of a
 * pool's enabled servers at once, or all of them, is held instead of applied. Pure: the caller
 * passes the time and keeps the hold between calls.
 *
 * - "Removed" means an enabled server that leaves the list or turns disabled (a mass disable
 *   empties IPVS as surely as a mass delete). Disabled servers leaving count for nothing.
 * - Only the removal is held: the applied list is the new one with every removed server kept as
 *   it is now, so additions and weight changes in the same update apply at once.
 * - A hold ends when an update no longer removes too much (the bad list went away: apply it
 *   normally), when updates keep removing too much for `holdMs` since the hold began, or when
 *   the operator confirms. Then the latest list is applied whole.
 */
import type { PoolServer } from './types.js';

export interface GuardPolicy {
  /** Share of the enabled servers one update may remove, 0..1; removing all is always held. */
  maxRemoval: number;
  /** How long a removing update must persist before it is applied; 0 turns the guard off. */
  holdMs: number;
}

export interface RemovalHold {
  /** Clock time (ms) when the hold began. */
  since: number;
  /** The latest list delivered while held: what a release applies. */
  list: PoolServer[];
  /** Hosts that list would remove (leave, or enabled → disabled). */
  removing: string[];
  /** Enabled servers before the update. */
  enabled: number;
}

export type GuardDecision =
  /** Apply `list`; `released` says why a previous hold ended. */
  | { kind: 'apply'; list: PoolServer[]; released?: 'gone' | 'elapsed' | 'confirmed' }
  /** Apply `list` (the update minus its removals) and keep `hold`; `fresh` when it began now. */
  | { kind: 'hold'; list: PoolServer[]; hold: RemovalHold; fresh: boolean };

/** Enabled servers of `current` that `next` removes or disables, in `current`'s order. */
export function removedBy(current: readonly PoolServer[], next: readonly PoolServer[]): string[] {
  const after = new Map(next.map((p) => [p.host, p]));
  return current.filter((s) => s.enabled && !after.get(s.host)?.enabled).map((s) => s.host);
}

/** True when removing `removing` of `enabled` servers needs a hold. */
export function tooMany(removing: number, enabled: number, maxRemoval: number): boolean {
  if (removing === 0 || enabled === 0) return false;
  return removing >= enabled || removing > enabled * maxRemoval;
}

/**
 * Decide what to do with `incoming`, given the servers as they are now (`current`), the hold in
 * force (or null), the time and the policy. `confirmed` releases a hold at once.
 */
export function guardUpdate(o: {
  current: readonly PoolServer[];
  incoming: PoolServer[];
  hold: RemovalHold | null;
  now: number;
  policy: GuardPolicy;
  confirmed?: boolean;
}): GuardDecision {
  const { current, incoming, hold, now, policy } = o;
  const removing = removedBy(current, incoming);
  const enabled = current.filter((s) => s.enabled).length;
  if (policy.holdMs <= 0 || !tooMany(removing.length, enabled, policy.maxRemoval)) {
    return hold ? { kind: 'apply', list: incoming, released: 'gone' } : { kind: 'apply', list: incoming };
  }
  if (o.confirmed && hold) return { kind: 'apply', list: incoming, released: 'confirmed' };
  const since = hold?.since ?? now;
  if (hold && now - since >= policy.holdMs) return { kind: 'apply', list: incoming, released: 'elapsed' };
  return { kind: 'hold', list: keepRemoved(current, incoming, removing), hold: { since, list: incoming, removing, enabled }, fresh: !hold };
}

/** `incoming` with each removed server kept as it is now (in place when it is still listed). */
function keepRemoved(current: readonly PoolServer[], incoming: PoolServer[], removing: string[]): PoolServer[] {
  const keep = new Set(removing);
  const now = new Map(current.map((s) => [s.host, s]));
  const out = incoming.map((p) => (keep.has(p.host) ? now.get(p.host)! : p));
  const listed = new Set(incoming.map((p) => p.host));
  for (const h of removing) if (!listed.has(h)) out.push(now.get(h)!);
  return out;
}

/** When the hold ends by itself, in clock ms. */
export function holdEnds(hold: RemovalHold, policy: GuardPolicy): number {
  return hold.since + policy.holdMs;
}

/** The alert text: the service, what would go, and how to let it go now. */
export function holdMessage(service: string, hold: RemovalHold, policy: GuardPolicy, now: number): string {
  const n = hold.removing.length;
  const names = hold.removing.slice(0, 5).join(', ') + (n > 5 ? `, and ${n - 5} more` : '');
  const why = n >= hold.enabled ? 'it would empty the pool' : `more than pool-max-removal ${Math.round(policy.maxRemoval * 100)}%`;
  const left = Math.max(0, Math.ceil((holdEnds(hold, policy) - now) / 1000));
  return `pool update held: it would remove ${n} of ${hold.enabled} enabled servers of ${service} (${names}); ${why}. ` +
    `It applies if it persists for pool-removal-hold (${left} s left), or now when confirmed: ` +
    `POST /pools/${service}/confirm-removal`;
}
