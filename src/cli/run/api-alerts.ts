/**
 * The `api` alert (issues 11 and 13): a client that hit an API limit (a warning, cleared a minute
 * after the last hit), and the API worker's death (critical while it is down; after the restart a
 * warning naming why it died, cleared a minute later, so /alerts still shows it once it answers).
 */
import type { Cancel, Clock } from '../../time/clock.js';

const CLEAR_AFTER_MS = 60_000;

/** Where alerts go (the coordinator). */
export interface AlertSink {
  raiseAlert(source: string, level: 'warning' | 'critical', message: string): void;
  clearAlert(source: string): void;
}

export class ApiAlerts {
  private timer: Cancel | null = null;
  private down = false;

  constructor(private readonly clock: Clock, private readonly sink: AlertSink) {}

  limitHit(message: string): void {
    if (this.down) return; // the worker's death is the larger news
    this.warnFor(message);
  }

  workerDown(reason: string): void {
    this.down = true;
    this.timer?.();
    this.timer = null;
    this.sink.raiseAlert('api', 'critical', `instrumentation API down: its worker died (${reason}); restarting it`);
  }

  workerUp(downMs: number, reason: string): void {
    this.down = false;
    this.warnFor(`instrumentation API worker restarted after ${(downMs / 1000).toFixed(1)} s down; it died: ${reason}`);
  }

  stop(): void {
    this.timer?.();
    this.timer = null;
  }

  private warnFor(message: string): void {
    this.sink.raiseAlert('api', 'warning', message);
    this.timer?.();
    this.timer = this.clock.setTimer(CLEAR_AFTER_MS, () => {
      this.timer = null;
      this.sink.clearAlert('api');
    });
  }
}
