/**
 * Writes through the etcd v3 JSON gateway: put (optionally under a lease), delete, and leases
 * (grant, keep-alive, revoke). The shared overrides and the fleet registration use them (issue 17 §2).
 */
import { b64, describeError, headers, type EtcdEndpoint } from './etcd-client.js';
import { request } from './http-request.js';

const SMALL = 1024 * 1024;

async function call(ep: EtcdEndpoint, path: string, body: object, signal?: AbortSignal): Promise<Record<string, unknown>> {
  const res = await request(new URL(path, ep.base), {
    method: 'POST', headers: headers(ep), clock: ep.clock, timeoutMs: ep.timeoutMs, maxBytes: SMALL,
    body: JSON.stringify(body), ...(ep.ca ? { ca: ep.ca } : {}), ...(signal ? { signal } : {}),
  });
  if (res.status !== 200) throw new Error(describeError(res.status, res.body));
  try { return JSON.parse(res.body) as Record<string, unknown>; } catch { throw new Error(`etcd ${path}: answer is not JSON`); }
}

/** Puts `value` at `key`, attached to `lease` when given (the key goes when the lease ends). */
export async function putKey(ep: EtcdEndpoint, key: string, value: string, lease?: string, signal?: AbortSignal): Promise<void> {
  await call(ep, '/v3/kv/put', { key: b64(key), value: b64(value), ...(lease ? { lease } : {}) }, signal);
}

export async function deleteKey(ep: EtcdEndpoint, key: string, signal?: AbortSignal): Promise<void> {
  await call(ep, '/v3/kv/deleterange', { key: b64(key) }, signal);
}

/** A new lease of `ttlSeconds`; its ID (a decimal string: int64 does not fit a JS number). */
export async function grantLease(ep: EtcdEndpoint, ttlSeconds: number, signal?: AbortSignal): Promise<string> {
  const j = await call(ep, '/v3/lease/grant', { TTL: String(ttlSeconds) }, signal);
  if (typeof j.ID !== 'string' || j.ID === '') throw new Error('etcd granted a lease without an ID');
  return j.ID;
}

/** One keep-alive; false when the lease is gone (expired or revoked: TTL 0 or absent). */
export async function keepAlive(ep: EtcdEndpoint, lease: string, signal?: AbortSignal): Promise<boolean> {
  const j = await call(ep, '/v3/lease/keepalive', { ID: lease }, signal);
  const r = (j.result ?? j) as { TTL?: string };
  return Number(r.TTL ?? 0) > 0;
}

export async function revokeLease(ep: EtcdEndpoint, lease: string, signal?: AbortSignal): Promise<void> {
  await call(ep, '/v3/lease/revoke', { ID: lease }, signal);
}
