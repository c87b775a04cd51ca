/**
 * Hostname resolution for pool servers: /etc/hosts, then the system's DNS (getaddrinfo).
 *
 * getaddrinfo runs on libuv's small thread pool (4 threads), which file reads (file pools) share.
 * A caller's timeout cannot stop a look-up that is running, so at most `maxRunning` run at once
 * and a slot is freed only when getaddrinfo returns: a dead DNS server can slow resolution but
 * never fill the pool. Concurrency per caller, the negative cache and log rate are the
 * coordinator's (src/coordinator/resolve-limiter.ts).
 */
import { lookup } from 'node:dns/promises';
import type { Resolver } from '../../coordinator/types.js';

export interface SystemResolverOptions {
  /** A caller gets an error after this long (waiting included); default 5 s. */
  timeoutMs?: number;
  /** getaddrinfo calls running at once; default 2 (half of libuv's pool). */
  maxRunning?: number;
  /** The look-up itself (tests); default dns.promises.lookup. */
  lookupAll?: (host: string, family: 4 | 6) => Promise<{ address: string; family: number }[]>;
}

/** Addresses of one family, sorted so the choice is stable; rejects after `timeoutMs`. */
export function systemResolver(o: SystemResolverOptions = {}): Resolver {
  const timeoutMs = o.timeoutMs ?? 5000;
  const maxRunning = Math.max(1, o.maxRunning ?? 2);
  const lookupAll = o.lookupAll ?? ((host, family) => lookup(host, { family, all: true }));
  let running = 0;
  const waiting: (() => void)[] = [];
  const next = (): void => {
    while (running < maxRunning && waiting.length > 0) { running++; waiting.shift()!(); }
  };
  return (host, family) => new Promise<string[]>((resolve, reject) => {
    let done = false;
    const timer = setTimeout(() => {
      done = true;
      const i = waiting.indexOf(start);
      if (i >= 0) waiting.splice(i, 1);
      reject(new Error(`resolving ${host}: no answer within ${timeoutMs} ms`));
    }, timeoutMs);
    function start(): void {
      lookupAll(host, family).then(
        (found) => { if (!done) resolve([...new Set(found.filter((a) => a.family === family).map((a) => a.address))].sort()); },
        (e: unknown) => { if (!done) reject(e instanceof Error ? e : new Error(String(e))); },
      ).finally(() => {
        done = true;
        clearTimeout(timer);
        running--;
        next();
      });
    }
    waiting.push(start);
    next();
  });
}
