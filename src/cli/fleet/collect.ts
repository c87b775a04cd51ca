/**
 * `vipd fleet`'s reads: the balancers from `--instances` or from their registrations in etcd
 * (P/members/), then each one's /vips, /bgp and /metrics, all in parallel, each bounded by a timeout.
 */
import { isEstablished } from '../../api/metrics-pybal.js';
import { membersPrefix } from '../../coordinator/shared-overrides.js';
import { readEtcdTls } from '../../pools/create.js';
import { openStore } from '../../pools/store.js';
import { systemClock } from '../../time/clock.js';
import type { InstanceReading } from './director-list.js';
import { parseRegistration, type Registration } from './registration.js';

export interface Target { name: string; url: string; registration?: Registration }

/** `--instances URL[,URL...]`: named by their host:port. */
export function targetsFromUrls(list: string): Target[] {
  return list.split(',').map((s) => s.trim()).filter(Boolean).map((url) => {
    let u: URL;
    try { u = new URL(url); } catch { throw new Error(`--instances: '${url}' is not a URL (http://HOST:PORT/)`); }
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error(`--instances: '${url}' is not http(s)://`);
    return { name: u.host, url: u.href };
  });
}

/** `--etcd etcd3://HOST:PORT/PREFIX` or `etcd://...` (v2): every live registration (bad values are reported, not fatal). */
export async function targetsFromEtcd(url: string, timeoutMs: number, caFile?: string): Promise<{ targets: Target[]; problems: string[] }> {
  const store = openStore(url, { clock: systemClock, timeoutMs, tls: readEtcdTls({ caFile: caFile ?? null }) });
  const kvs = await store.read(membersPrefix(store.prefix));
  const targets: Target[] = [];
  const problems: string[] = [];
  for (const kv of kvs) {
    const r = parseRegistration(kv.key, kv.value);
    if ('error' in r) problems.push(r.error); else targets.push({ name: r.name, url: r.url, registration: r });
  }
  return { targets: targets.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)), problems };
}

async function get(base: string, path: string, timeoutMs: number, json: boolean): Promise<string> {
  const res = await fetch(new URL(path, base), { signal: AbortSignal.timeout(timeoutMs), headers: json ? { accept: 'application/json' } : {} });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`${path}: HTTP ${res.status}`);
  return text;
}

export interface Reading extends InstanceReading { established?: string[] }

export async function readInstance(t: Target, timeoutMs: number): Promise<Reading> {
  try {
    const [vips, bgp, metrics] = await Promise.all([
      get(t.url, '/vips', timeoutMs, true), get(t.url, '/bgp', timeoutMs, true), get(t.url, '/metrics', timeoutMs, false),
    ]);
    const peers = (JSON.parse(bgp) as { peers?: Array<{ peer: string; state: string }> }).peers ?? [];
    return {
      name: t.name, url: t.url, vips: JSON.parse(vips) as InstanceReading['vips'], metrics,
      established: peers.filter((p) => isEstablished(p.state)).map((p) => p.peer),
    };
  } catch (e) {
    const cause = e instanceof Error && e.cause instanceof Error ? ` (${e.cause.message})` : '';
    return { name: t.name, url: t.url, error: `${e instanceof Error ? e.message : String(e)}${cause}` };
  }
}
