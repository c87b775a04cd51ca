/**
 * Every key under an etcd v2 directory, at any depth, in the v3 client's shapes (EtcdKv,
 * EtcdEvent): what the shared overrides and the registrations read from `etcd://` (issue 17 §2),
 * so one override model serves both transports. Pure: status, body and X-Etcd-Index in.
 */
import type { EtcdEvent, EtcdKv } from './etcd-client.js';
import { describe, json, KEY_NOT_FOUND, parseV2Answer, PUTS, REMOVES, type RawNode } from './etcd2-parse.js';

export type V2Tree = { ok: true; index: number; kvs: EtcdKv[] } | { ok: false; error: string };

export type V2TreeWatch =
  | { kind: 'events'; events: EtcdEvent[]; modifiedIndex: number }
  /** errorCode 401 (PYBAL.md §2.3): the history passed waitIndex; read the whole tree again. */
  | { kind: 'outdated'; message: string }
  | { kind: 'error'; error: string };

/** Depth of directories followed; the site layout needs 3 (overrides/servers/<pool>/<host>). */
const MAX_DEPTH = 8;

function flatten(n: RawNode, out: EtcdKv[], depth: number): void {
  if (typeof n !== 'object' || n === null || typeof n.key !== 'string') return;
  if (n.dir === true) {
    if (depth >= MAX_DEPTH || !Array.isArray(n.nodes)) return;
    for (const c of n.nodes as RawNode[]) flatten(c, out, depth + 1);
    return;
  }
  out.push({ key: n.key, value: typeof n.value === 'string' ? n.value : '', modRevision: Number(n.modifiedIndex ?? 0) });
}

/** `GET /v2/keys<dir>?recursive=true`: a missing directory is an empty one. */
export function parseV2Tree(status: number, body: string, etcdIndex: string | undefined): V2Tree {
  const j = json(body);
  const index = Number(etcdIndex);
  if (status === 404 && j?.errorCode === KEY_NOT_FOUND) {
    const at = Number.isSafeInteger(index) ? index : Number(j.index);
    return Number.isSafeInteger(at) ? { ok: true, index: at, kvs: [] } : { ok: false, error: 'etcd said the directory is missing, but gave no X-Etcd-Index' };
  }
  if (status !== 200) return { ok: false, error: describe(status, j) };
  if (!j?.node) return { ok: false, error: 'etcd answered 200 without a node' };
  if (!Number.isSafeInteger(index) || index < 0) return { ok: false, error: 'etcd answered without a valid X-Etcd-Index header' };
  const kvs: EtcdKv[] = [];
  flatten(j.node, kvs, 0);
  return { ok: true, index, kvs };
}

/**
 * One long-poll answer. A removed directory becomes a delete of its key with a trailing slash:
 * every key under it goes (SharedOverrides.apply).
 */
export function parseV2TreeWatch(status: number, body: string): V2TreeWatch {
  const a = parseV2Answer(status, body);
  if (a.kind !== 'node') return a;
  const { node: n, modifiedIndex } = a;
  if (REMOVES.includes(a.action)) {
    return { kind: 'events', modifiedIndex, events: [{ type: 'delete', key: n.dir === true ? `${n.key.replace(/\/*$/, '')}/` : n.key, modRevision: modifiedIndex }] };
  }
  if (PUTS.includes(a.action) && n.dir !== true) {
    return { kind: 'events', modifiedIndex, events: [{ type: 'put', kv: { key: n.key, value: typeof n.value === 'string' ? n.value : '', modRevision: modifiedIndex } }] };
  }
  return { kind: 'events', modifiedIndex, events: [] };
}
