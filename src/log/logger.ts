/** Structured logging: JSON lines for machines, readable lines on a terminal. */
export type Level = 'debug' | 'info' | 'warn' | 'error';
export type LogContext = Record<string, string | number | boolean | null | undefined>;

export interface Logger {
  debug(msg: string, ctx?: LogContext): void;
  info(msg: string, ctx?: LogContext): void;
  warn(msg: string, ctx?: LogContext): void;
  error(msg: string, ctx?: LogContext): void;
  /** A logger that adds `ctx` (service, server, peer, ...) to every line. */
  child(ctx: LogContext): Logger;
}

export interface LoggerOptions {
  level?: Level;
  /** Defaults to JSON unless the stream is a terminal. */
  json?: boolean;
  write?: (line: string) => void;
  now?: () => number;
}

const ORDER: Record<Level, number> = { debug: 10, info: 20, warn: 30, error: 40 };

// Lines come in bursts (10,000 'server up' lines in a first round): the text of the last
// millisecond is reused rather than formatted again for each line.
let lastMs = NaN;
let lastIso = '';
function isoTime(ms: number): string {
  if (ms !== lastMs) { lastMs = ms; lastIso = new Date(ms).toISOString(); }
  return lastIso;
}

/**
 * Lines written together once per turn of the event loop (or at `maxBytes`): one write for a burst
 * of lines instead of one (synchronous, for a pipe or a file) per line. `flush` writes what waits;
 * call it before exiting.
 */
export function batchedLines(write: (text: string) => void, maxBytes = 64 * 1024): { write: (line: string) => void; flush: () => void } {
  let pending: string[] = [];
  let bytes = 0;
  let scheduled = false;
  const flush = (): void => {
    scheduled = false;
    if (pending.length === 0) return;
    const text = pending.join('\n') + '\n';
    pending = [];
    bytes = 0;
    write(text);
  };
  return {
    write: (line) => {
      pending.push(line);
      bytes += line.length + 1;
      if (bytes >= maxBytes) flush();
      else if (!scheduled) { scheduled = true; setImmediate(flush); }
    },
    flush,
  };
}

export function createLogger(opts: LoggerOptions = {}, base: LogContext = {}): Logger {
  const level = opts.level ?? 'info';
  const json = opts.json ?? !process.stderr.isTTY;
  const write = opts.write ?? ((line: string) => process.stderr.write(line + '\n'));
  const now = opts.now ?? Date.now;
  const emit = (lv: Level, msg: string, ctx?: LogContext): void => {
    if (ORDER[lv] < ORDER[level]) return;
    const ts = isoTime(now());
    if (json) {
      write(JSON.stringify({ ts, level: lv, msg, ...base, ...ctx }));
    } else {
      const kv = Object.entries({ ...base, ...ctx })
        .filter(([, v]) => v !== undefined)
        .map(([k, v]) => `${k}=${typeof v === 'string' && /\s/.test(v) ? JSON.stringify(v) : String(v)}`)
        .join(' ');
      write(`${ts} ${lv.toUpperCase().padEnd(5)} ${msg}${kv ? ' ' + kv : ''}`);
    }
  };
  return {
    debug: (m, c) => emit('debug', m, c),
    info: (m, c) => emit('info', m, c),
    warn: (m, c) => emit('warn', m, c),
    error: (m, c) => emit('error', m, c),
    child: (ctx) => createLogger(opts, { ...base, ...ctx }),
  };
}

/** Discards everything; for tests that do not look at logs. */
export const silentLogger: Logger = {
  debug: () => {}, info: () => {}, warn: () => {}, error: () => {},
  child: () => silentLogger,
};
