/** Hostname resolution for pool servers: /etc/hosts, then the system's DNS (getaddrinfo). */
import { lookup } from 'node:dns/promises';
import type { Resolver } from '../../coordinator/types.js';

/** Addresses of one family, sorted so the choice is stable; rejects after `timeoutMs`. */
export function systemResolver(timeoutMs = 5000): Resolver {
  return async (host, family) => {
    let cancel: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      cancel = setTimeout(() => reject(new Error(`resolving ${host}: no answer within ${timeoutMs} ms`)), timeoutMs);
    });
    try {
      const found = await Promise.race([lookup(host, { family, all: true }), timeout]);
      return [...new Set(found.filter((a) => a.family === family).map((a) => a.address))].sort();
    } finally {
      clearTimeout(cancel);
    }
  };
}
