/**
 * The status page's event list (issue 15 §3): `vipd run` wraps its logger once, so every
 * info/warn/error line (transitions, IPVS changes, reloads, overrides) also lands in a bounded ring
 * that the API snapshot reads. The log stays the one place an event is described.
 */
import type { StatusSource } from '../../api/types.js';
import { EventRing, recordEvents } from '../../log/event-ring.js';
import type { Logger } from '../../log/logger.js';
import type { Clock } from '../../time/clock.js';

/** Events the page lists. */
export const PAGE_EVENTS = 200;

const rings = new WeakMap<Logger, EventRing>();

/** A logger that keeps its last PAGE_EVENTS lines for the status page. */
export function withEventLog(log: Logger, clock: Clock): Logger {
  const ring = new EventRing(PAGE_EVENTS, () => clock.wallNow());
  const recording = recordEvents(log, ring);
  rings.set(recording, ring);
  return recording;
}

/** `src` plus the events `log` recorded (unchanged when `log` records none). */
export function withEvents(src: StatusSource, log: Logger): StatusSource {
  const ring = rings.get(log);
  return ring ? { ...src, events: () => ring.list() } : src;
}
