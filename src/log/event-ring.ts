/**
 * The status page's "last events": a bounded ring of the log lines at info and above (server
 * transitions, IPVS changes, reloads, overrides are all logged), fed by a Logger wrapper, so the
 * log stays the one place where an event is described. Fixed capacity; oldest lines drop first.
 */
import type { Level, LogContext, Logger } from './logger.js';

export interface EventEntry {
  /** Wall-clock ms. */
  at: number;
  level: Exclude<Level, 'debug'>;
  msg: string;
  /** The line's context (service, server, peer...), string values cut to MAX_VALUE characters. */
  ctx: Record<string, string | number | boolean | null>;
}

/** As kept: the logger's context and the line's own, merged only when listed (a burst logs thousands). */
interface Kept { at: number; level: EventEntry['level']; msg: string; base: LogContext; ctx: LogContext | undefined }

const MAX_VALUE = 300;

export class EventRing {
  private readonly buf: (Kept | undefined)[];
  private next = 0;
  private size = 0;

  constructor(readonly capacity = 200, private readonly now: () => number = Date.now) {
    if (!(Number.isInteger(capacity) && capacity > 0)) throw new Error(`event ring capacity must be a positive integer, got ${capacity}`);
    this.buf = new Array<Kept | undefined>(capacity);
  }

  /** Keeps both contexts as given (not modified by callers); merged and cleaned when listed, for the few lines kept. */
  push(level: EventEntry['level'], msg: string, ctx: LogContext, base: LogContext = {}): void {
    this.buf[this.next] = { at: this.now(), level, msg, base, ctx };
    this.next = (this.next + 1) % this.capacity;
    if (this.size < this.capacity) this.size++;
  }

  /** Newest first. */
  list(): EventEntry[] {
    const out: EventEntry[] = [];
    for (let i = 1; i <= this.size; i++) {
      const e = this.buf[(this.next - i + this.capacity) % this.capacity];
      if (e) out.push({ at: e.at, level: e.level, msg: e.msg, ctx: clean({ ...e.base, ...e.ctx }) });
    }
    return out;
  }
}

function clean(ctx: LogContext): EventEntry['ctx'] {
  const out: EventEntry['ctx'] = {};
  for (const [k, v] of Object.entries(ctx)) {
    if (v === undefined) continue;
    out[k] = typeof v === 'string' && v.length > MAX_VALUE ? v.slice(0, MAX_VALUE) + '…' : v;
  }
  return out;
}

/** A logger that also records its info, warn and error lines (with the child contexts) in `ring`. */
export function recordEvents(log: Logger, ring: EventRing, base: LogContext = {}): Logger {
  const tee = (level: EventEntry['level']) => (msg: string, ctx?: LogContext): void => {
    ring.push(level, msg, ctx ?? {}, base);
    log[level](msg, ctx);
  };
  return {
    debug: (m, c) => log.debug(m, c),
    info: tee('info'),
    warn: tee('warn'),
    error: tee('error'),
    child: (ctx) => recordEvents(log.child(ctx), ring, { ...base, ...ctx }),
  };
}
