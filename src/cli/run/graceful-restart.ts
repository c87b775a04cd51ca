/**
 * Graceful restart across vipd processes (RFC 4724, issue 14 §1). vipd leaves the IPVS table in
 * place when it stops, so the routers may keep forwarding to it while it restarts.
 *
 * - A planned stop (SIGTERM, SIGINT) with graceful restart on closes the sessions without
 *   withdrawing: the routers keep the routes as stale for bgp-graceful-restart-time.
 * - A full stop (SIGUSR1, or any stop with graceful restart off) withdraws, sends Cease 6/2 and
 *   removes the marker.
 * - The marker `<state-dir>/bgp-graceful-restart` exists from the start of a vipd with graceful
 *   restart on until its full stop. A start that finds it — after a planned stop or a crash —
 *   is a restart: the R bit goes in the first OPENs (RFC 4724 §3).
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { GlobalConfig } from '../../config/index.js';
import type { Logger } from '../../log/logger.js';

export const MARKER_FILE = 'bgp-graceful-restart';

/** `planned`: SIGTERM or SIGINT (a restart when graceful restart is on); `full`: SIGUSR1. */
export type StopKind = 'planned' | 'full';

export function stopKindOf(signal: NodeJS.Signals): StopKind {
  return signal === 'SIGUSR1' ? 'full' : 'planned';
}

/** Graceful restart is on when any peer has it (bgp-graceful-restart in [global] or its section). */
export function gracefulRestartOn(g: GlobalConfig): boolean {
  return g.bgp && g.bgpPeers.some((p) => p.gracefulRestart);
}

interface MarkerText { state: 'running' | 'planned-stop'; pid: number; at: string }

/** The marker in the state directory; `dir` null (dry run or tests without --state-dir): no marker, never a restart. */
export class RestartMarker {
  readonly path: string | null;
  /** What the start found: the previous vipd did not end with a full stop. */
  readonly restarting: boolean;
  private readonly previous: MarkerText | null;

  constructor(dir: string | null, private readonly log: Logger, private on: boolean) {
    this.path = dir ? join(dir, MARKER_FILE) : null;
    this.previous = this.path ? read(this.path) : null;
    this.restarting = on && this.previous !== null;
  }

  /** At start: note the restart, and mark this vipd running (a crash leaves the mark). */
  started(): void {
    if (this.restarting) {
      this.log.info('graceful restart: the previous vipd did not stop fully; R bit set in the first OPENs',
        { previous: this.previous?.state ?? 'unknown', since: this.previous?.at ?? '' });
    }
    if (this.on) this.write('running'); else this.remove();
  }

  /** At stop: whether the sessions keep the routes (a planned stop with graceful restart on now). */
  stopping(kind: StopKind, on: boolean): boolean {
    this.on = on;
    const keep = on && kind === 'planned';
    if (keep) this.write('planned-stop'); else this.remove();
    if (keep) this.log.info('graceful restart: routes stay at the routers as stale; IPVS is left as is (SIGUSR1 stops fully)');
    return keep;
  }

  private write(state: MarkerText['state']): void {
    if (!this.path) return;
    try {
      writeFileSync(this.path, JSON.stringify({ state, pid: process.pid, at: new Date().toISOString() }) + '\n');
    } catch (e) {
      this.log.warn(`graceful restart: cannot write ${this.path}: ${e instanceof Error ? e.message : String(e)}; the next start will not set the R bit`);
    }
  }

  private remove(): void {
    if (!this.path) return;
    try {
      rmSync(this.path, { force: true });
    } catch (e) {
      this.log.warn(`graceful restart: cannot remove ${this.path}: ${e instanceof Error ? e.message : String(e)}; the next start will set the R bit`);
    }
  }
}

function read(path: string): MarkerText | null {
  let text: string;
  try { text = readFileSync(path, 'utf8'); } catch { return null; }
  try {
    const v = JSON.parse(text) as Partial<MarkerText>;
    return { state: v.state === 'planned-stop' ? 'planned-stop' : 'running', pid: Number(v.pid) || 0, at: String(v.at ?? '') };
  } catch {
    return { state: 'running', pid: 0, at: '' };
  }
}
