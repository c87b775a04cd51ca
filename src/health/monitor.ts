import type { Millis } from '../time/clock.js';
import type { CheckSignal } from './check-signal.js';

/** The same shape as the codec's Result; health may not import bgp, so it is declared here. */
export type Result<T, E> = { ok: true; value: T } | { ok: false; error: E };
export const ok = <T>(value: T): Result<T, never> => ({ ok: true, value });
export const err = <E>(error: E): Result<never, E> => ({ ok: false, error });

/** One realserver as a monitor sees it. */
export interface Target {
  /** The server's name as configured (URL Host header, logs, `server.host` substitution). */
  host: string;
  /** The address to connect to (IPv4 or IPv6 text). */
  ip: string;
  /** The service port. */
  port: number;
  weight?: number;
}

export type Detail = string | number | boolean;

export interface CheckResult {
  up: boolean;
  /** Short, human-readable: "HTTP 200", "connect ECONNREFUSED", "timeout after 5000 ms". */
  reason: string;
  /** How long the check took. */
  ms: number;
  /**
   * The check could not be made by this process (tcp.via-vip without CAP_NET_RAW or the addon): no
   * verdict on the server. The runner keeps its state (rise/fall ignore it) and reports it; `up` is false.
   */
  noVerdict?: boolean;
  details?: Record<string, Detail>;
  /** ProxyFetch: each URL fetched, for PyBal's per-URL request duration (PYBAL.md §3.2). */
  requests?: CheckRequest[];
  /** IdleConnection: connects failed and connections lost uncleanly since the link opened, by error code (PYBAL.md §3.3). */
  connections?: { failed: Record<string, number>; lost: Record<string, number> };
}

export interface CheckRequest { url: string; up: boolean; ms: number }

/** How the runner schedules a monitor; each kind has PyBal's defaults, options override them. */
export interface Schedule {
  intervalMs: Millis;
  /** Covers the whole check: connect + request + response. */
  timeoutMs: Millis;
  /** `timeout = auto`: each server's deadline is learned (adaptive-timeout.ts); `timeoutMs` is then the ceiling. */
  auto?: { ceilingMs: number; floorMs: number };
  rise: number;
  fall: number;
}

export interface Monitor {
  /** PyBal's name: ProxyFetch, IdleConnection, RunCommand, DNSQuery, UDP, TCP, TLS. */
  readonly kind: string;
  readonly schedule: Schedule;
  /** Never throws and never rejects; an aborted signal ends the check promptly as down. */
  check(target: Target, signal: CheckSignal): Promise<CheckResult>;
  /**
   * `check` without a promise, where the monitor can (ProxyFetch through the native probe): `done`
   * gets the same result once, perhaps before this returns. False: nothing started, use `check`.
   */
  checkThen?(target: Target, signal: CheckSignal, done: (result: CheckResult) => void): boolean;
  /**
   * Stateful monitors only: reports each change of a server's state the moment the monitor sees
   * it (a closed connection), so the runner need not wait for its next tick. Returns the unsubscribe.
   */
  watch?(target: Target, onChange: (result: CheckResult) => void): () => void;
  /** Drops per-target state (open connections, ICMP windows) when a server leaves the pool. */
  forget?(target: Target): void;
  /** Releases everything (all targets). */
  close?(): void;
}

export const targetKey = (t: Target): string => `${t.host}|${t.ip}|${t.port}`;

/**
 * `s` flattened, for a string kept long (a key per server): V8 keeps a concatenation's result as a
 * tree of its parts (a template of five parts: 6 objects, ~170 B) until it is read character by
 * character, and the tree goes at the next GC. At 10,000 servers the runner's keys were 1.75 MB.
 */
export function flatString(s: string): string {
  s.charCodeAt(0);
  return s;
}

/** The message of anything thrown, with the errno code first when there is one. */
export function errorReason(e: unknown): string {
  if (e && typeof e === 'object') {
    const x = e as { code?: unknown; message?: unknown };
    const msg = typeof x.message === 'string' ? x.message : '';
    if (typeof x.code === 'string') return msg.includes(x.code) ? msg : `${x.code} ${msg}`.trim();
    if (msg) return msg;
  }
  return String(e);
}
