import { createSocket, type Socket } from 'node:dgram';
import { isIPv6 } from 'node:net';
import type { Millis } from '../../time/clock.js';
import { errorReason, targetKey, type CheckResult, type Monitor, type Schedule, type Target } from '../monitor.js';
import { readOptions, scheduleOf, secondsToMillis, type MonitorOptions } from '../options.js';
import type { CheckSignal } from '../check-signal.js';

export interface UdpConfig {
  schedule: Schedule;
  icmpTimeoutMs: Millis;
  /** How long a check waits after sending for an ICMP error to come back. */
  waitMs: Millis;
}

export function parseUdp(options: MonitorOptions): UdpConfig {
  const o = readOptions('UDP', options);
  return { schedule: scheduleOf(o), icmpTimeoutMs: secondsToMillis(o['icmp-timeout']), waitMs: secondsToMillis(o.wait) };
}

interface PerTarget {
  sock: Socket;
  ready: Promise<string | null>;
  /** performance.now() of the last ICMP error seen, or null. */
  lastIcmpAt: number | null;
  lastError: string;
  waiter: (() => void) | null;
}

/**
 * An empty datagram per check from a connected socket kept per server; an ICMP port unreachable
 * (ECONNREFUSED on the socket) makes the server down until none was seen for `icmp-timeout`.
 */
export class UdpMonitor implements Monitor {
  readonly kind = 'UDP';
  readonly schedule: Schedule;
  private readonly targets = new Map<string, PerTarget>();
  constructor(private readonly cfg: UdpConfig) { this.schedule = cfg.schedule; }

  private state(target: Target): PerTarget {
    const key = targetKey(target);
    const have = this.targets.get(key);
    if (have) return have;
    const sock = createSocket(isIPv6(target.ip) ? 'udp6' : 'udp4');
    const st: PerTarget = { sock, ready: Promise.resolve(null), lastIcmpAt: null, lastError: '', waiter: null };
    sock.on('error', (e) => {
      st.lastIcmpAt = performance.now();
      st.lastError = errorReason(e);
      st.waiter?.();
    });
    st.ready = new Promise((resolve) => {
      try {
        sock.connect(target.port, target.ip, () => resolve(null));
      } catch (e) { resolve(errorReason(e)); }
    });
    this.targets.set(key, st);
    return st;
  }

  async check(target: Target, signal: CheckSignal): Promise<CheckResult> {
    const started = performance.now();
    const st = this.state(target);
    const notReady = await st.ready;
    if (notReady) { this.forget(target); return { up: false, reason: `connect: ${notReady}`, ms: performance.now() - started }; }
    const sendError = await new Promise<string | null>((resolve) => {
      st.sock.send(Buffer.alloc(0), (e) => resolve(e ? errorReason(e) : null));
    });
    if (sendError) { st.lastIcmpAt = performance.now(); st.lastError = sendError; }
    if (sendError === null) {
      await new Promise<void>((resolve) => {
        const t = setTimeout(done, this.cfg.waitMs);
        function done(): void { clearTimeout(t); signal.removeEventListener('abort', done); st.waiter = null; resolve(); }
        st.waiter = done;
        signal.addEventListener('abort', done, { once: true });
      });
    }
    const now = performance.now();
    const ms = now - started;
    if (st.lastIcmpAt !== null && now - st.lastIcmpAt < this.cfg.icmpTimeoutMs) {
      return { up: false, reason: `ICMP error ${Math.round(now - st.lastIcmpAt)} ms ago: ${st.lastError}`, ms };
    }
    return { up: true, reason: `no ICMP error for ${this.cfg.icmpTimeoutMs} ms`, ms };
  }

  forget(target: Target): void {
    const key = targetKey(target);
    const st = this.targets.get(key);
    if (!st) return;
    this.targets.delete(key);
    try { st.sock.close(); } catch { /* already closed */ }
  }

  close(): void {
    for (const st of this.targets.values()) { try { st.sock.close(); } catch { /* already closed */ } }
    this.targets.clear();
  }
}
