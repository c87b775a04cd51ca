/** Messages between the main thread and the BGP speaker's worker thread (bgp-thread.ts, bgp-worker.ts). */
import type { LogContext } from '../../log/logger.js';
import type { PeerConfig, Route, SpeakerConfig, SpeakerEvent, SpeakerStatus, StopOptions } from '../../speaker/index.js';

/** A PeerConfig as it crosses threads: the TCP-MD5 key as bytes (a Secret's method cannot be cloned). */
export type WirePeer = Omit<PeerConfig, 'md5Key'> & { md5KeyBytes?: Uint8Array };

export interface WorkerConfig {
  speaker: Omit<SpeakerConfig, 'peers'> & { peers: WirePeer[] };
  /** Load the native addon's TCP-MD5 / GTSM sockets in the worker. */
  sockets: boolean;
  /** How often the worker sends its status when nothing happens (uptime, counters). */
  statusEveryMs: number;
}

export type Call =
  | { m: 'start' }
  | { m: 'addPeer'; peer: WirePeer }
  | { m: 'removePeer'; address: string; message?: string }
  | { m: 'stop'; opts: StopOptions };

export type ToWorker =
  | { t: 'call'; id: number; call: Call }
  | { t: 'routes'; routes: Route[] }
  | { t: 'routesComplete' }
  | { t: 'bfdDown'; address: string; why: string };

export interface StatusReport { status: SpeakerStatus; listening: { address: string; port: number }[] }

export type FromWorker =
  | { t: 'reply'; id: number; error?: string; report: StatusReport }
  | { t: 'event'; event: SpeakerEvent }
  | { t: 'status'; report: StatusReport }
  /** `at`: wall-clock ms when the speaker logged it. */
  | { t: 'log'; level: 'debug' | 'info' | 'warn' | 'error'; msg: string; ctx: LogContext; at: number };

export function toWire(p: PeerConfig): WirePeer {
  const { md5Key, ...rest } = p;
  return md5Key ? { ...rest, md5KeyBytes: Uint8Array.from(md5Key.bytes()) } : rest;
}

export function fromWire(p: WirePeer): PeerConfig {
  const { md5KeyBytes, ...rest } = p;
  if (!md5KeyBytes) return rest;
  const key = Uint8Array.from(md5KeyBytes);
  return { ...rest, md5Key: { bytes: () => Uint8Array.from(key) } };
}
