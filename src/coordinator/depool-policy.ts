/**
 * PyBal's depool-threshold rule (PYBAL.md §4.3), pure: no I/O, no clock. Functions update a
 * pool in place and return what happened, so the coordinator can log it and count it.
 *
 * Invariants kept after every operation (PyBal's P0–P2):
 *   P0 pooled ⇒ enabled ∧ ready
 *   P1 up ⇒ pooled ∨ ¬enabled ∨ ¬ready
 *   P2 pooled ⇒ up ∨ ¬canDepool
 *
 * The pool keeps counts (issue 13 §1) so the threshold test is O(1): every change of a server's
 * up/pooled/enabled/ready/resolving goes through setFlag, which keeps them; nothing recounts.
 */
import type { PoolServer, ServerState } from './types.js';

/** Counts over the pool's servers, kept by setFlag. `up` counts up ∧ ready. */
export interface PoolCounts { up: number; upEnabled: number; pooled: number; pooledUp: number; resolving: number }

export interface Pool {
  threshold: number;
  /** Insertion-ordered: config order, which also decides force-pooling order. */
  servers: Map<string, ServerState>;
  /** Pooled but down because too many are down; insertion-ordered (oldest is depooled first). */
  pooledDown: Set<string>;
  counts: PoolCounts;
  /** Servers whose `pooled` changed since the publisher last looked (it clears this). */
  touched: Set<ServerState>;
  /** The next server's `seq` (pool order, for the publisher's incremental list). */
  nextSeq: number;
}

export function newPool(threshold: number): Pool {
  return {
    threshold, servers: new Map(), pooledDown: new Set(), counts: { up: 0, upEnabled: 0, pooled: 0, pooledUp: 0, resolving: 0 },
    touched: new Set(), nextSeq: 0,
  };
}

type Flag = 'up' | 'pooled' | 'enabled' | 'ready' | 'resolving';

function count(c: PoolCounts, s: ServerState, k: 1 | -1): void {
  if (s.up && s.ready) c.up += k;
  if (s.up && s.enabled) c.upEnabled += k;
  if (s.pooled) { c.pooled += k; if (s.up) c.pooledUp += k; }
  if (s.resolving) c.resolving += k;
}

/** The one way a counted flag of a server changes. */
export function setFlag(pool: Pool, s: ServerState, flag: Flag, v: boolean): void {
  if (s[flag] === v) return;
  count(pool.counts, s, -1);
  s[flag] = v;
  count(pool.counts, s, 1);
  if (flag === 'pooled') pool.touched.add(s);
}

/** The counts as a full scan gives them (tests and the debug self-check compare it with `counts`). */
export function recount(pool: Pool): PoolCounts {
  const c: PoolCounts = { up: 0, upEnabled: 0, pooled: 0, pooledUp: 0, resolving: 0 };
  for (const s of pool.servers.values()) count(c, s, 1);
  return c;
}

export type PoolEvent =
  | { kind: 'depooled'; host: string }
  | { kind: 'could-not-depool'; host: string }
  | { kind: 'pooled'; host: string }
  | { kind: 'left-pooled'; host: string }
  | { kind: 'force-pooled'; host: string }
  | { kind: 'threshold-unmet'; pooled: number; needed: number };

export function newServer(p: PoolServer): ServerState {
  return {
    host: p.host, weight: p.weight, enabled: p.enabled, ...(p.port !== undefined ? { port: p.port } : {}),
    ready: false, resolving: true, ip: null, up: false, pooled: false, monitors: [], entry: null, seq: 0,
  };
}

/** Enough would remain serving: up ∧ enabled servers ≥ all servers × threshold. */
export function canDepool(pool: Pool): boolean {
  return pool.counts.upEnabled >= pool.servers.size * pool.threshold;
}

function depool(pool: Pool, s: ServerState, out: PoolEvent[]): void {
  if (canDepool(pool)) {
    setFlag(pool, s, 'pooled', false);
    pool.pooledDown.delete(s.host);
    out.push({ kind: 'depooled', host: s.host });
  } else {
    pool.pooledDown.add(s.host);
    out.push({ kind: 'could-not-depool', host: s.host });
  }
}

/** Depool pooled-but-down servers, oldest first, while the threshold allows. */
export function drain(pool: Pool, out: PoolEvent[] = []): PoolEvent[] {
  for (let guard = pool.pooledDown.size; guard > 0 && pool.pooledDown.size > 0 && canDepool(pool); guard--) {
    const host = pool.pooledDown.values().next().value as string;
    pool.pooledDown.delete(host);
    const s = pool.servers.get(host);
    if (s?.pooled) depool(pool, s, out);
  }
  return out;
}

function repool(pool: Pool, s: ServerState, out: PoolEvent[]): void {
  if (!s.pooled) {
    setFlag(pool, s, 'pooled', true);
    out.push({ kind: 'pooled', host: s.host });
  } else if (pool.pooledDown.has(s.host)) {
    out.push({ kind: 'left-pooled', host: s.host });
  }
  pool.pooledDown.delete(s.host);
  drain(pool, out);
}

/** A monitor reported down: the server is down; depool it if the threshold allows. */
export function serverDown(pool: Pool, host: string): PoolEvent[] {
  const out: PoolEvent[] = [];
  const s = pool.servers.get(host);
  if (!s || !s.ready) return out;
  if (s.up) {
    setFlag(pool, s, 'up', false);
    if (s.pooled) depool(pool, s, out);
  }
  return out;
}

/** All monitors of the server are up: pool it (if enabled), then depool what can now be depooled. */
export function serverUp(pool: Pool, host: string): PoolEvent[] {
  const out: PoolEvent[] = [];
  const s = pool.servers.get(host);
  if (!s || !s.ready) return out;
  setFlag(pool, s, 'up', true);
  if (s.enabled) repool(pool, s, out);
  return out;
}

/**
 * Force-pool enabled, ready servers (they are down) until pooled ≥ all × threshold, as PyBal
 * master's _ensureDepoolThreshold; reports when even that is not enough.
 */
export function ensureThreshold(pool: Pool, out: PoolEvent[] = []): PoolEvent[] {
  const needed = pool.servers.size * pool.threshold;
  // Scans only when the threshold is not met (counts make the usual case O(1)).
  if (pool.counts.pooled < needed) {
    for (const s of pool.servers.values()) {
      if (pool.counts.pooled >= needed) break;
      if (!s.pooled && s.enabled && s.ready) {
        setFlag(pool, s, 'pooled', true);
        pool.pooledDown.add(s.host);
        out.push({ kind: 'force-pooled', host: s.host });
      }
    }
  }
  const pooled = pool.counts.pooled;
  const pending = pool.counts.resolving > 0;
  if (pooled < needed && !pending) out.push({ kind: 'threshold-unmet', pooled, needed: Math.ceil(needed) });
  return out;
}

/** After any change of the server set or of enabled/ready: force-pool to the threshold, then drain. */
export function settle(pool: Pool, out: PoolEvent[] = []): PoolEvent[] {
  ensureThreshold(pool, out);
  drain(pool, out);
  return out;
}

export interface MergeResult {
  added: ServerState[];
  removed: ServerState[];
  changed: ServerState[];
  /** Of `changed`, those whose port changed: their health target moved (a weight or enabled change does not). */
  portChanged: ServerState[];
  events: PoolEvent[];
}

/**
 * A pool source delivered a complete list. Existing servers take the new weight/enabled (a
 * disabled server leaves IPVS regardless of the threshold: admin intent); new ones wait for
 * resolution (not ready); missing ones are removed. Last entry wins for duplicate hosts.
 */
export function mergePool(pool: Pool, list: PoolServer[]): MergeResult {
  const byHost = new Map<string, PoolServer>();
  for (const p of list) byHost.set(p.host, p);
  const res: MergeResult = { added: [], removed: [], changed: [], portChanged: [], events: [] };
  for (const [host, s] of pool.servers) {
    if (byHost.has(host)) continue;
    count(pool.counts, s, -1);
    pool.servers.delete(host);
    pool.pooledDown.delete(host);
    res.removed.push(s);
  }
  for (const p of byHost.values()) {
    const s = pool.servers.get(p.host);
    if (!s) {
      const n = newServer(p);
      n.seq = pool.nextSeq++;
      pool.servers.set(p.host, n);
      count(pool.counts, n, 1);
      res.added.push(n);
      continue;
    }
    const portChanged = s.port !== p.port;
    if (s.weight !== p.weight || s.enabled !== p.enabled || portChanged) res.changed.push(s);
    if (portChanged) res.portChanged.push(s);
    s.weight = p.weight;
    setFlag(pool, s, 'enabled', p.enabled);
    if (p.port === undefined) delete s.port; else s.port = p.port;
    const wasPooledDown = pool.pooledDown.has(s.host);
    setFlag(pool, s, 'pooled', s.enabled && s.ready && (s.up || wasPooledDown));
    if (!s.pooled) pool.pooledDown.delete(s.host);
  }
  settle(pool, res.events);
  return res;
}

/** The log lines of a pool update, per server: removed, merged, new. */
export function* mergeLines(r: MergeResult): Generator<[string, string]> {
  for (const s of r.removed) yield ['server removed (no longer in the pool list)', s.host];
  for (const s of r.changed) yield [`merged ${s.enabled ? 'enabled' : 'disabled'} server, weight ${s.weight}`, s.host];
  for (const s of r.added) yield [`new ${s.enabled ? 'enabled' : 'disabled'} server, weight ${s.weight}`, s.host];
}

/** The server's name resolved: PyBal starts it optimistic (up, pooled when enabled). */
export function markReady(pool: Pool, host: string, ip: string): void {
  const s = pool.servers.get(host);
  if (!s) return;
  setFlag(pool, s, 'resolving', false);
  s.ip = ip;
  if (s.ready) return;
  setFlag(pool, s, 'ready', true);
  setFlag(pool, s, 'up', true);
  setFlag(pool, s, 'pooled', s.enabled);
}

/** Resolution failed for a server that is not ready: it stays out of the pool. */
export function markUnresolved(pool: Pool, host: string): void {
  const s = pool.servers.get(host);
  if (!s) return;
  setFlag(pool, s, 'resolving', false);
  if (s.ready) return;
  setFlag(pool, s, 'up', false);
  setFlag(pool, s, 'pooled', false);
  pool.pooledDown.delete(host);
}

/** Names of violated invariants (empty when all hold); used by tests and a debug self-check. */
export function checkInvariants(pool: Pool): string[] {
  const bad: string[] = [];
  const cd = canDepool(pool);
  for (const s of pool.servers.values()) {
    if (s.pooled && !(s.enabled && s.ready)) bad.push(`P0 ${s.host}`);
    if (s.up && !(s.pooled || !s.enabled || !s.ready)) bad.push(`P1 ${s.host}`);
    if (s.pooled && !(s.up || !cd)) bad.push(`P2 ${s.host}`);
  }
  for (const h of pool.pooledDown) {
    const s = pool.servers.get(h);
    if (!s || !s.pooled || s.up) bad.push(`pooledDown ${h}`);
  }
  const c = recount(pool);
  for (const k of Object.keys(c) as (keyof PoolCounts)[]) if (c[k] !== pool.counts[k]) bad.push(`count ${k} ${pool.counts[k]} ≠ ${c[k]}`);
  return bad;
}

/** A log line for each event: level and message (the coordinator adds service and server). */
export function describePoolEvent(e: PoolEvent): { level: 'info' | 'warn' | 'error'; msg: string } {
  switch (e.kind) {
    case 'could-not-depool': return { level: 'error', msg: 'could not depool server because of too many down' };
    case 'threshold-unmet': return { level: 'error', msg: `pool does not meet the depool threshold: ${e.pooled} pooled, ${e.needed} needed` };
    case 'force-pooled': return { level: 'warn', msg: 'forcing server to be pooled to meet the depool threshold' };
    case 'left-pooled': return { level: 'info', msg: 'leaving previously pooled but down server pooled' };
    case 'depooled': return { level: 'info', msg: 'server depooled' };
    case 'pooled': return { level: 'info', msg: 'server pooled' };
  }
}
