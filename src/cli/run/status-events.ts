/**
 * The status page's event list (issue 15 §3): the daemon's logger, wrapped once at start, records
 * every info/warn/error line (transitions, IPVS changes, reloads, overrides) in a bounded ring
 * the API snapshot reads. The log stays the one place an event is described.
 */
import { EventRing, recordEvents } from '../../log/event-ring.js';
export type { EventRing };
import type { Logger } from '../../log/logger.js';
import type { Clock } from '../../time/clock.js';

/** Events the page lists. */
export const PAGE_EVENTS = 200;

export function withEventLog<T extends { log: Logger; clock: Clock; events?: EventRing }>(opts: T): T & { events: EventRing } {
  if (opts.events) return opts as T & { events: EventRing };
  const events = new EventRing(PAGE_EVENTS, () => opts.clock.wallNow());
  return { ...opts, log: recordEvents(opts.log, events), events };
}
