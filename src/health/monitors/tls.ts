import { isIP } from 'node:net';
import { connect } from 'node:tls';
import { errorReason, type CheckResult, type Monitor, type Schedule, type Target } from '../monitor.js';
import { readOptions, scheduleOf, type MonitorOptions } from '../options.js';
import type { CheckSignal } from '../check-signal.js';

export interface TlsConfig {
  schedule: Schedule;
  /** SNI and verification name; the target's host when absent. */
  servername: string | null;
  verify: boolean;
  /** Warn (in reason and details, still up) when the certificate expires within this many days. */
  expiryWarnDays: number;
}

export function parseTls(options: MonitorOptions): TlsConfig {
  const o = readOptions('TLS', options);
  return { schedule: scheduleOf(o), servername: o.servername ?? null, verify: o.verify, expiryWarnDays: o['expiry-warn-days'] };
}

const DAY_MS = 86_400_000;

/** Up when a TLS handshake with server:port completes (and verifies, with `verify = yes`). */
export class TlsMonitor implements Monitor {
  readonly kind = 'TLS';
  readonly schedule: Schedule;
  constructor(private readonly cfg: TlsConfig, private readonly wallNow: () => number = Date.now) {
    this.schedule = cfg.schedule;
  }

  check(target: Target, signal: CheckSignal): Promise<CheckResult> {
    const started = performance.now();
    const name = this.cfg.servername ?? target.host;
    return new Promise((resolve) => {
      if (signal.aborted) { resolve({ up: false, reason: 'aborted', ms: 0 }); return; }
      const sock = connect({
        host: target.ip, port: target.port, rejectUnauthorized: this.cfg.verify,
        ...(isIP(name) === 0 ? { servername: name } : {}),
      });
      const done = (r: Omit<CheckResult, 'ms'>): void => {
        signal.removeEventListener('abort', onAbort);
        sock.destroy();
        resolve({ ...r, ms: performance.now() - started });
      };
      const onAbort = (): void => done({ up: false, reason: 'aborted during the handshake' });
      signal.addEventListener('abort', onAbort, { once: true });
      sock.once('secureConnect', () => {
        const cert = sock.getPeerCertificate();
        const expires = cert && cert.valid_to ? Date.parse(cert.valid_to) : NaN;
        const days = (expires - this.wallNow()) / DAY_MS;
        const details = { protocol: sock.getProtocol() ?? '', expiresInDays: Math.floor(days) };
        if (Number.isFinite(days) && days < this.cfg.expiryWarnDays) {
          done({ up: true, reason: `handshake ok; certificate expires in ${Math.floor(days)} days`, details: { ...details, warning: true } });
        } else {
          done({ up: true, reason: `handshake ok (${details.protocol})`, details });
        }
      });
      sock.once('error', (e) => done({ up: false, reason: `handshake: ${errorReason(e)}` }));
    });
  }
}
