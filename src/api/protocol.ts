/** Messages between the main thread (status owner) and the API worker thread (HTTP owner). */
import type { StatusDelta } from './status-delta.js';
import type { OverrideWrite, StatusSnapshot, WriteAnswer } from './types.js';

/** Bounds on what any client can make the API do; each hit is logged, rate-limited. */
export interface ApiLimits {
  /** Open connections per listening address; beyond it new ones are closed at once. */
  maxConnections: number;
  /** Requests per second per client address, and the burst above that rate; beyond: 429. */
  ratePerClient: number;
  rateBurst: number;
  /** Bytes of request headers (431 beyond) and of a request body (413 beyond). */
  maxHeaderBytes: number;
  maxBodyBytes: number;
  /** Milliseconds to receive the headers, the whole request, and idle between requests. */
  headersTimeoutMs: number;
  requestTimeoutMs: number;
  keepAliveTimeoutMs: number;
  /** Fresh status snapshots per second taken on the main thread (with the same burst). */
  snapshotsPerSec: number;
}

export const DEFAULT_LIMITS: ApiLimits = {
  maxConnections: 256, ratePerClient: 50, rateBurst: 100, maxHeaderBytes: 8192, maxBodyBytes: 1024,
  headersTimeoutMs: 5000, requestTimeoutMs: 10_000, keepAliveTimeoutMs: 5000, snapshotsPerSec: 5,
};

export interface WorkerConfig {
  hosts: string[];
  port: number;
  limits: ApiLimits;
  /** Names a request's Host header may carry besides this host's own addresses (DNS-rebinding guard). */
  hostnames?: string[];
}

export type LogLevel = 'info' | 'warn' | 'error';

export type WorkerMessage =
  | { t: 'listening'; addresses: string[]; failures: BindFailure[] }
  | { t: 'snapshot' }
  | { t: 'confirm'; id: number; service: string }
  | { t: 'write'; id: number; write: OverrideWrite }
  | { t: 'log'; level: LogLevel; message: string }
  /** A limit was hit (already rate-limited to one line per limit and interval). */
  | { t: 'limit'; message: string }
  | { t: 'closed' };

export type MainMessage =
  | { t: 'snapshot'; snapshot: StatusSnapshot }
  /** What changed since the last delta (a source with keyed access, status-delta.ts); the first is complete. `more`: a part, the rest follows (delta-sender.ts). */
  | { t: 'delta'; delta: StatusDelta; more?: true }
  | { t: 'snapshot-error'; message: string }
  | { t: 'confirm'; id: number; result: { ok: boolean; message: string } | null }
  | { t: 'write'; id: number; answer: WriteAnswer }
  | { t: 'close' };

/** An instrumentation address that could not be bound, with the errno code (EADDRINUSE…). */
export interface BindFailure { host: string; code: string; message: string }
