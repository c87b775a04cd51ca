/**
 * Hostname resolution for the coordinator's servers: new servers, retries of failures, and
 * re-resolution that follows address changes (PyBal resolved once and never retried).
 */
import type { Logger } from '../log/logger.js';
import { Slicer } from '../time/slices.js';
import { markReady, markUnresolved, setFlag } from './depool-policy.js';
import { ResolveLimiter, addressOf, type AddressOutcome, familyOf, isLiteral, literalAddress, logFailures } from './resolve-limiter.js';
import type { Service } from './service-state.js';
import type { ServerState } from './types.js';

export interface ResolutionHooks {
  log: Logger;
  resolver: ResolveLimiter;
  /** The service is still configured. */
  live(svc: Service): boolean;
  /** The server resolved for the first time: start its monitors. */
  ready(svc: Service, s: ServerState): void;
  /** The server's address changed: restart its monitors. */
  moved(svc: Service, s: ServerState): void;
}

function lookup(h: ResolutionHooks, svc: Service, host: string): ReturnType<typeof addressOf> {
  return addressOf(h.resolver, host, familyOf(svc.spec.ip));
}

/** Resolve servers that are not ready yet (new ones, or failed before); marks them ready or unresolved. */
export async function resolveServers(h: ResolutionHooks, svc: Service, servers: ServerState[]): Promise<void> {
  if (servers.length === 0) return;
  for (const s of servers) setFlag(svc.pool, s, 'resolving', true);
  const fam = familyOf(svc.spec.ip);
  const failed: { host: string; error: string }[] = [];
  // a 10,000-server pool's servers become ready in slices (issue 13 §5: no block over 50 ms); the
  // ones still waiting count as resolving, so the first round is not complete before the last.
  // Addresses (most pools) need no promise each; names go through the limiter. In list order.
  const slicer = new Slicer();
  const settleOne = (s: ServerState, r: AddressOutcome): void => {
    if (svc.pool.servers.get(s.host) !== s) return;
    if (r.ip) {
      markReady(svc.pool, s.host, r.ip);
      h.ready(svc, s);
      h.log.debug('resolved', { service: svc.spec.name, server: s.host, ip: r.ip });
      return;
    }
    markUnresolved(svc.pool, s.host);
    if (r.report) failed.push({ host: s.host, error: r.error });
  };
  const outcomes: (AddressOutcome | Promise<AddressOutcome>)[] = [];
  const names: Promise<AddressOutcome>[] = [];
  await Promise.resolve(); // the caller (applyList) publishes the list first, none of it ready
  for (const s of servers) {
    if (slicer.due()) await slicer.pause();
    const o = literalAddress(s.host, fam) ?? addressOf(h.resolver, s.host, fam);
    outcomes.push(o);
    if (o instanceof Promise) names.push(o);
  }
  if (names.length > 0) await Promise.all(names);
  if (!h.live(svc)) return;
  for (let i = 0; i < servers.length; i++) {
    if (slicer.due()) {
      await slicer.pause();
      if (!h.live(svc)) return;
    }
    const o = outcomes[i]!;
    settleOne(servers[i]!, o instanceof Promise ? await o : o);
  }
  logFailures(h.log, svc.spec.name, fam, failed);
}

/** Re-resolve every hostname of `svc`: follow address changes of ready servers, retry the others. */
export function reresolveService(h: ResolutionHooks, svc: Service, after: () => void): Promise<void>[] {
  const jobs: Promise<void>[] = [];
  const retry: ServerState[] = [];
  for (const s of svc.pool.servers.values()) {
    if (isLiteral(s.host) || s.resolving) continue;
    if (!s.ready) { retry.push(s); continue; }
    jobs.push(lookup(h, svc, s.host).then(({ ip }) => {
      if (!ip || ip === s.ip || svc.pool.servers.get(s.host) !== s) return;
      h.log.info(`address changed from ${s.ip} to ${ip}`, { service: svc.spec.name, server: s.host });
      s.ip = ip;
      h.moved(svc, s);
    }));
  }
  if (retry.length > 0) jobs.push(resolveServers(h, svc, retry).then(after));
  return jobs;
}
