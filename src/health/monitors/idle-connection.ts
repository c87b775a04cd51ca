import { connect, type Socket } from 'node:net';
import { systemClock, type Cancel, type Clock, type Millis } from '../../time/clock.js';
import { errorReason, targetKey, type CheckResult, type Monitor, type Schedule, type Target } from '../monitor.js';
import { readOptions, scheduleOf, secondsToMillis, type MonitorOptions } from '../options.js';
import type { CheckSignal } from '../check-signal.js';
import { setTcpKeepalive } from './tcp-keepalive.js';

export interface IdleConnectionConfig {
  /** interval: how often the runner reads the connection state; timeout: normal connect timeout. */
  schedule: Schedule;
  cleanReconnectMs: Millis;
  maxDelayMs: Millis;
  keepalive: boolean;
  keepaliveIdleMs: Millis;
  /** Applied through the native addon; without it the kernel's defaults apply. */
  keepaliveIntervalS: number;
  keepaliveRetries: number;
}

export function parseIdleConnection(options: MonitorOptions): IdleConnectionConfig {
  const o = readOptions('IdleConnection', options);
  return {
    schedule: scheduleOf(o),
    cleanReconnectMs: secondsToMillis(o['timeout-clean-reconnect']),
    maxDelayMs: secondsToMillis(o['max-delay']),
    keepalive: o.keepalive,
    keepaliveIdleMs: secondsToMillis(o['keepalive-idle']),
    keepaliveIntervalS: o['keepalive-interval'],
    keepaliveRetries: o['keepalive-retries'],
  };
}

const errCode = (e: unknown): string => {
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : '';
};

type Phase = 'connecting' | 'connected' | 'clean-reconnect' | 'down';

const INITIAL_DELAY_MS = 1000;
const FACTOR = Math.E;
const JITTER = 0.12;

/** One server's idle connection: connect, watch, reconnect with backoff. */
class Link {
  phase: Phase = 'connecting';
  reason = 'connecting';
  settled = false;
  private sock: Socket | null = null;
  private timer: Cancel | null = null;
  private delayMs = INITIAL_DELAY_MS;
  private waiters: (() => void)[] = [];
  private closed = false;
  private reportedUp: boolean | null = null;
  readonly listeners = new Set<(r: CheckResult) => void>();
  /** Failed connects and unclean losses by error code (`timeout` for our own connect timer), for metrics. */
  readonly counts = { failed: {} as Record<string, number>, lost: {} as Record<string, number> };

  constructor(private readonly target: Target, private readonly cfg: IdleConnectionConfig,
    private readonly clock: Clock, private readonly random: () => number) {
    this.open(cfg.schedule.timeoutMs, 'connecting');
  }

  whenSettled(): Promise<void> {
    return this.settled ? Promise.resolve() : new Promise((r) => this.waiters.push(r));
  }

  private set(phase: Phase, reason: string): void {
    this.phase = phase;
    this.reason = reason;
    if (phase === 'connecting') return;
    this.settled = true;
    for (const w of this.waiters.splice(0)) w();
    const up = phase !== 'down';
    if (up === this.reportedUp) return;
    this.reportedUp = up;
    for (const l of [...this.listeners]) l({ up, reason, ms: 0, connections: this.connections() });
  }

  private open(timeoutMs: number, phase: 'connecting' | 'clean-reconnect'): void {
    if (this.closed) return;
    if (phase === 'clean-reconnect') this.set(phase, 'reconnecting after a clean close');
    const sock = connect({ host: this.target.ip, port: this.target.port });
    this.sock = sock;
    let connected = false;
    let cleanClose = false;
    const cancelConnect = this.clock.setTimer(timeoutMs, () => {
      if (!connected) { sock.destroy(); this.failed(`connect timeout after ${timeoutMs} ms`, 'timeout'); }
    });
    sock.once('connect', () => {
      connected = true;
      cancelConnect();
      this.delayMs = INITIAL_DELAY_MS;
      if (this.cfg.keepalive) {
        setTcpKeepalive(sock, { idleMs: this.cfg.keepaliveIdleMs, intervalS: this.cfg.keepaliveIntervalS, count: this.cfg.keepaliveRetries });
      }
      this.set('connected', 'connected');
    });
    sock.on('data', () => { /* idle connection: anything the server says is ignored */ });
    sock.once('end', () => { cleanClose = true; });
    sock.once('error', (e) => { sock.destroy(); if (!connected) { cancelConnect(); this.failed(`connect: ${errorReason(e)}`, errCode(e)); } else this.lost(errorReason(e), errCode(e)); });
    sock.once('close', () => {
      if (this.sock !== sock || this.closed) return;
      if (!connected) return; // reported by the error or timeout path
      if (cleanClose) this.open(this.cfg.cleanReconnectMs, 'clean-reconnect');
      else this.lost('connection lost', '');
    });
  }

  /** A copy of the counts (results are kept by the metrics). */
  connections(): NonNullable<CheckResult['connections']> {
    return { failed: { ...this.counts.failed }, lost: { ...this.counts.lost } };
  }

  private failed(reason: string, code: string): void {
    if (this.closed) return;
    this.counts.failed[code] = (this.counts.failed[code] ?? 0) + 1;
    this.sock = null;
    this.set('down', reason);
    this.retryLater();
  }

  private lost(reason: string, code: string): void {
    if (this.closed || this.phase === 'down') return;
    this.counts.lost[code] = (this.counts.lost[code] ?? 0) + 1;
    this.sock = null;
    this.set('down', `connection lost uncleanly: ${reason}`);
    this.retryLater();
  }

  private retryLater(): void {
    this.timer?.();
    const jittered = this.delayMs * (1 + JITTER * (2 * this.random() - 1));
    this.timer = this.clock.setTimer(jittered, () => { this.timer = null; this.open(this.cfg.schedule.timeoutMs, 'connecting'); });
    this.delayMs = Math.min(this.cfg.maxDelayMs, this.delayMs * FACTOR);
  }

  close(): void {
    this.closed = true;
    this.listeners.clear();
    this.timer?.();
    this.sock?.destroy();
    this.sock = null;
    for (const w of this.waiters.splice(0)) w();
  }
}

/**
 * Keeps one idle TCP connection per server: up while connected; an unclean loss is down; a clean
 * close (FIN) gets one immediate reconnect bounded by timeout-clean-reconnect and is down only if
 * that fails; failed connects retry with exponential backoff up to max-delay. Changes are pushed
 * to watchers as they happen; `check` reads the same state at the runner's interval.
 */
export class IdleConnectionMonitor implements Monitor {
  readonly kind = 'IdleConnection';
  readonly schedule: Schedule;
  private readonly links = new Map<string, Link>();
  constructor(private readonly cfg: IdleConnectionConfig, private readonly clock: Clock = systemClock,
    private readonly random: () => number = Math.random) {
    this.schedule = cfg.schedule;
  }

  private link(target: Target): Link {
    const key = targetKey(target);
    let link = this.links.get(key);
    if (!link) { link = new Link(target, this.cfg, this.clock, this.random); this.links.set(key, link); }
    return link;
  }

  async check(target: Target, signal: CheckSignal): Promise<CheckResult> {
    const started = performance.now();
    const link = this.link(target);
    if (!link.settled) {
      await Promise.race([link.whenSettled(), new Promise<void>((r) => signal.addEventListener('abort', () => r(), { once: true }))]);
    }
    const ms = performance.now() - started;
    const connections = link.connections();
    if (link.phase === 'connected' || link.phase === 'clean-reconnect') return { up: true, reason: link.reason, ms, connections };
    if (link.phase === 'connecting') return { up: false, reason: 'still connecting', ms, connections };
    return { up: false, reason: link.reason, ms, connections };
  }

  /** Pushes every up/down change at once: the kernel reports a closed connection without a poll. */
  watch(target: Target, onChange: (r: CheckResult) => void): () => void {
    const link = this.link(target);
    link.listeners.add(onChange);
    return () => { link.listeners.delete(onChange); };
  }

  forget(target: Target): void {
    const key = targetKey(target);
    this.links.get(key)?.close();
    this.links.delete(key);
  }

  close(): void {
    for (const l of this.links.values()) l.close();
    this.links.clear();
  }
}
