/**
 * The etcd v2 keys API as PyBal reads it (PYBAL.md §2.3): a recursive GET of the pool directory,
 * then one long-poll answer per change. Pure: status, body and X-Etcd-Index in; values out.
 */

/** A direct child of the pool directory: the host is the key's last path component. */
export interface V2Value { key: string; host: string; value: string }

export type V2Read = { ok: true; index: number; values: V2Value[] } | { ok: false; error: string };

export type V2Change =
  | { kind: 'put'; v: V2Value }
  | { kind: 'remove'; host: string }
  /** The directory itself (or a parent) was deleted or expired: every host is gone. */
  | { kind: 'clear' }
  | { kind: 'ignore' };

export type V2Watch =
  | { kind: 'event'; change: V2Change; modifiedIndex: number }
  /** etcd errorCode 401: the event at waitIndex left etcd's history; read the whole directory again. */
  | { kind: 'outdated'; message: string }
  | { kind: 'error'; error: string };

export interface RawNode { key?: unknown; value?: unknown; dir?: unknown; nodes?: unknown; modifiedIndex?: unknown }
export interface RawBody { action?: unknown; node?: RawNode; errorCode?: unknown; message?: unknown; cause?: unknown; index?: unknown }

/** etcd v2 error codes (etcd's error package): 100 key not found, 401 event index cleared. */
export const KEY_NOT_FOUND = 100;
export const EVENT_INDEX_CLEARED = 401;

export function json(body: string): RawBody | null {
  try {
    const j: unknown = JSON.parse(body);
    return typeof j === 'object' && j !== null && !Array.isArray(j) ? j as RawBody : null;
  } catch { return null; }
}

export function describe(status: number, j: RawBody | null): string {
  if (j && typeof j.message === 'string') return `etcd answered HTTP ${status}: ${j.message}${typeof j.cause === 'string' ? ` (${j.cause})` : ''}`;
  return `etcd answered HTTP ${status}`;
}

/** The host a key names: a direct child of `dir`, else null. */
export function hostOf(dir: string, key: string): string | null {
  if (!key.startsWith(dir + '/')) return null;
  const rest = key.slice(dir.length + 1);
  return rest && !rest.includes('/') ? rest : null;
}

/** The answer to `GET /v2/keys<dir>?recursive=true`; a missing directory is an empty one. */
export function parseV2Read(dir: string, status: number, body: string, etcdIndex: string | undefined): V2Read {
  const j = json(body);
  const headerIndex = Number(etcdIndex);
  if (status === 404 && j?.errorCode === KEY_NOT_FOUND) {
    const index = Number.isSafeInteger(headerIndex) ? headerIndex : Number(j.index);
    if (!Number.isSafeInteger(index)) return { ok: false, error: 'etcd said the directory is missing, but gave no X-Etcd-Index' };
    return { ok: true, index, values: [] };
  }
  if (status !== 200) return { ok: false, error: describe(status, j) };
  if (!j?.node) return { ok: false, error: 'etcd answered 200 without a node' };
  if (!Number.isSafeInteger(headerIndex) || headerIndex < 0) return { ok: false, error: 'etcd answered without a valid X-Etcd-Index header' };
  if (j.node.dir !== true) return { ok: false, error: `${dir} is a key, not a directory` };
  const nodes = Array.isArray(j.node.nodes) ? j.node.nodes as RawNode[] : [];
  const values: V2Value[] = [];
  for (const n of nodes) {
    if (typeof n !== 'object' || n === null || n.dir === true || typeof n.key !== 'string') continue;
    const host = hostOf(dir, n.key);
    if (host !== null) values.push({ key: n.key, host, value: typeof n.value === 'string' ? n.value : '' });
  }
  return { ok: true, index: headerIndex, values };
}

export const PUTS = ['set', 'create', 'update', 'compareAndSwap'];
export const REMOVES = ['delete', 'expire', 'compareAndDelete'];

/** A long-poll answer's envelope: its action and node, or why there is none (both watch parsers). */
export type V2Answer =
  | { kind: 'node'; action: string; node: RawNode & { key: string }; modifiedIndex: number }
  | { kind: 'outdated'; message: string }
  | { kind: 'error'; error: string };

export function parseV2Answer(status: number, body: string): V2Answer {
  const j = json(body);
  // PYBAL.md §2.3: HTTP 400 with errorCode 401 → full re-read.
  if (j?.errorCode === EVENT_INDEX_CLEARED) return { kind: 'outdated', message: describe(status, j) };
  if (status !== 200) return { kind: 'error', error: describe(status, j) };
  const n = j?.node;
  if (!n || typeof n.key !== 'string' || typeof j.action !== 'string') return { kind: 'error', error: 'etcd sent a watch answer without an action and a node' };
  const modifiedIndex = Number(n.modifiedIndex);
  if (!Number.isSafeInteger(modifiedIndex) || modifiedIndex < 1) return { kind: 'error', error: 'etcd sent a watch answer without a modifiedIndex' };
  return { kind: 'node', action: j.action, node: n as RawNode & { key: string }, modifiedIndex };
}

/** One long-poll answer of `GET ...?wait=true&recursive=true&waitIndex=N`. */
export function parseV2Watch(dir: string, status: number, body: string): V2Watch {
  const a = parseV2Answer(status, body);
  return a.kind !== 'node' ? a : { kind: 'event', modifiedIndex: a.modifiedIndex, change: changeOf(dir, a.action, a.node) };
}

function changeOf(dir: string, action: string, n: RawNode & { key: string }): V2Change {
  const host = hostOf(dir, n.key);
  if (REMOVES.includes(action)) {
    if (n.key === dir || dir.startsWith(n.key.endsWith('/') ? n.key : n.key + '/')) return { kind: 'clear' };
    return host === null ? { kind: 'ignore' } : { kind: 'remove', host };
  }
  if (PUTS.includes(action) && host !== null && n.dir !== true) {
    return { kind: 'put', v: { key: n.key, host, value: typeof n.value === 'string' ? n.value : '' } };
  }
  return { kind: 'ignore' };
}

export interface SrvRecord { name: string; port: number; priority: number; weight: number }

/**
 * RFC 2782 order: lowest priority first; within a priority, a weighted random pick, records of
 * weight 0 first in the running sum. `random` in [0, 1) is injected for tests.
 */
export function orderSrv(records: readonly SrvRecord[], random: () => number = Math.random): SrvRecord[] {
  const priorities = [...new Set(records.map((r) => r.priority))].sort((a, b) => a - b);
  const out: SrvRecord[] = [];
  for (const p of priorities) {
    const group = records.filter((r) => r.priority === p).sort((a, b) => (a.weight === 0 ? 0 : 1) - (b.weight === 0 ? 0 : 1));
    while (group.length) {
      const total = group.reduce((s, r) => s + r.weight, 0);
      const pick = Math.floor(random() * (total + 1));
      let sum = 0;
      let i = group.findIndex((r) => (sum += r.weight) >= pick);
      if (i === -1) i = group.length - 1;
      out.push(...group.splice(i, 1));
    }
  }
  return out;
}
