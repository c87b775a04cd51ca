/**
 * One alert per unreachable etcd endpoint (issue 17 §2: an etcd outage "raises one alert"): the
 * pools and the overrides fed by one endpoint report to it, and the site sees a single alert
 * naming the endpoint and everything that keeps its last good state because of it, instead of
 * one per pool plus one for the overrides. Problems that are not the endpoint (a malformed value,
 * a list over a limit) stay each source's own alert. Pure: the alert goes out through `emit`.
 */

/** Node's errors for "nobody answered" (not an answer vipd refuses, such as a bad certificate). */
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EHOSTDOWN',
  'EPIPE', 'ECONNABORTED', 'ENOTFOUND', 'EAI_AGAIN', 'EADDRNOTAVAIL']);
/** http-request.ts's own timeouts and lost streams, and the watch loops' "ended" errors. */
const NETWORK_TEXT = /^(timed out after|no response after|connection lost|etcd watch stream ended|the watch ended without an answer|socket hang up)/;

/** etcd itself going away under a live watch (the gateway's gRPC stream or client connection closing, no leader). */
const ETCD_GOING = /transport is closing|the client connection is closing|\bUnavailable\b|etcdserver: (no leader|request timed out|server stopped)|error reading from server: EOF/;

/** True when the failure says the endpoint could not be reached (every endpoint, for a list). */
export function isUnreachable(e: unknown): boolean {
  if (!(e instanceof Error)) return false;
  if (e instanceof AggregateError) return e.errors.length > 0 && e.errors.every(isUnreachable);
  const code = (e as NodeJS.ErrnoException).code;
  return (typeof code === 'string' && NETWORK_CODES.has(code)) || NETWORK_TEXT.test(e.message) || ETCD_GOING.test(e.message);
}

/** Who depends on an endpoint: a pool (listed by service name) or something else (named as is). */
export interface Dependent { id: string; kind: 'pool' | 'other'; label: string }

interface Outage { since: number; why: string; deps: Map<string, Dependent> }

export const outageSource = (endpoint: string): string => `etcd ${endpoint}`;

export class EtcdOutages {
  private readonly down = new Map<string, Outage>();

  constructor(
    private readonly emit: (source: string, message: string | null) => void,
    private readonly wallNow: () => number,
  ) {}

  /** `why` null: the dependent reached the endpoint again (a full read done); else it cannot. */
  report(endpoint: string, dep: Dependent, why: string | null): void {
    let o = this.down.get(endpoint);
    if (why === null) {
      if (!o || !o.deps.delete(dep.id)) return;
      // The endpoint answers: the alert goes as soon as one dependent got through (the others follow).
      this.down.delete(endpoint);
      this.emit(outageSource(endpoint), null);
      return;
    }
    if (!o) { o = { since: this.wallNow(), why, deps: new Map() }; this.down.set(endpoint, o); }
    const known = o.deps.get(dep.id);
    if (known && known.label === dep.label && o.why === why) return;
    o.deps.set(dep.id, dep);
    o.why = why;
    this.emit(outageSource(endpoint), this.text(endpoint, o));
  }

  /** A dependent that went away (its service removed): no longer named. */
  forget(id: string): void {
    for (const [endpoint, o] of this.down) {
      if (!o.deps.delete(id)) continue;
      if (o.deps.size === 0) { this.down.delete(endpoint); this.emit(outageSource(endpoint), null); } else this.emit(outageSource(endpoint), this.text(endpoint, o));
    }
  }

  private text(endpoint: string, o: Outage): string {
    const deps = [...o.deps.values()];
    const pools = deps.filter((d) => d.kind === 'pool').map((d) => d.label).sort();
    const others = deps.filter((d) => d.kind === 'other').map((d) => d.label).sort();
    const parts = [...(pools.length ? [`${pools.length === 1 ? 'pool' : 'pools'} ${pools.join(', ')}`] : []), ...others];
    const what = parts.length > 1 ? `${parts.slice(0, -1).join(', ')} and ${parts[parts.length - 1]}` : parts[0] ?? 'nothing';
    return `unreachable since ${new Date(o.since).toISOString()}: keeping the last good ${what}; `
      + `nothing depooled for it, a full read follows when it answers (${o.why})`;
  }
}
