import { connect } from 'node:net';
import { errorReason, type CheckResult, type Monitor, type Schedule, type Target } from '../monitor.js';
import { readOptions, scheduleOf, type MonitorOptions } from '../options.js';
import type { CheckSignal } from '../check-signal.js';

export function parseTcp(options: MonitorOptions): { schedule: Schedule } {
  return { schedule: scheduleOf(readOptions('TCP', options)) };
}

/** Up when a TCP connection to server:port is established within the timeout; then closed. */
export class TcpMonitor implements Monitor {
  readonly kind = 'TCP';
  constructor(readonly schedule: Schedule) {}

  check(target: Target, signal: CheckSignal): Promise<CheckResult> {
    const started = performance.now();
    const ms = (): number => performance.now() - started;
    return new Promise((resolve) => {
      if (signal.aborted) { resolve({ up: false, reason: 'aborted', ms: 0 }); return; }
      const sock = connect({ host: target.ip, port: target.port });
      const done = (up: boolean, reason: string): void => {
        signal.removeEventListener('abort', onAbort);
        sock.destroy();
        resolve({ up, reason, ms: ms() });
      };
      const onAbort = (): void => done(false, 'aborted while connecting');
      signal.addEventListener('abort', onAbort, { once: true });
      sock.once('connect', () => done(true, 'connected'));
      sock.once('error', (e) => done(false, `connect: ${errorReason(e)}`));
    });
  }
}
