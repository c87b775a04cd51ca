import { connect } from 'node:net';
import { errorReason, type CheckResult, type Monitor, type Schedule, type Target } from '../monitor.js';
import { readOptions, scheduleOf, type MonitorOptions } from '../options.js';
import type { CheckSignal } from '../check-signal.js';
import { checkViaVip, type DataPath } from '../datapath/probe.js';

export function parseTcp(options: MonitorOptions): { schedule: Schedule; viaVip: boolean } {
  const o = readOptions('TCP', options);
  return { schedule: scheduleOf(o), viaVip: o['via-vip'] };
}

/** How long a check through the data path waits for its reply: a little less than the timeout, so its reason wins. */
const replyBudget = (timeoutMs: number): number => timeoutMs - Math.min(100, timeoutMs / 10);

/**
 * Up when a TCP connection to server:port is established within the timeout; then closed.
 * With a data path (`tcp.via-vip`), the SYN goes to the VIP through it instead (../datapath/probe.ts).
 */
export class TcpMonitor implements Monitor {
  readonly kind = 'TCP';
  constructor(readonly schedule: Schedule, private readonly dataPath: DataPath | null = null) {}

  check(target: Target, signal: CheckSignal): Promise<CheckResult> {
    if (this.dataPath) return checkViaVip(target, this.dataPath, 'tcp.via-vip', replyBudget(this.schedule.timeoutMs), signal);
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
