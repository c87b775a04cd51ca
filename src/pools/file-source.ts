import { watch, type FSWatcher, type Stats } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { silentLogger, type Logger } from '../log/logger.js';
import { redactUrl } from '../log/redact.js';
import type { Cancel, Clock } from '../time/clock.js';
import { checkBytes, limitsWith } from './limits.js';
import { formatOf } from './parse.js';
import { SourceState } from './source-state.js';
import type { OnAlert, OnRecover, OnUpdate, PoolServer, PoolSource } from './types.js';

export interface FileSourceOptions {
  clock: Clock;
  logger?: Logger;
  /** Polling interval (the fallback when fs.watch misses a change), ms; at most 500 so a change shows within 1 s. */
  intervalMs?: number;
  /** Use fs.watch (default true); false leaves polling alone. */
  watch?: boolean;
  /** A file is read only once unchanged (size, mtime, inode) for this long, ms; default 200. */
  stableMs?: number;
  /** pool-max-servers; default 10000. */
  maxServers?: number;
}

const SETTLE_MS = 25;
const POLL_MAX_MS = 500;
const STABLE_MS = 200;

const stampOf = (st: Stats): string => `${st.ino}:${st.size}:${st.mtimeMs}:${st.ctimeMs}`;

/**
 * file:///path — PyBal legacy lines or .json; fs.watch on the folder plus stat polling. A file is
 * read only when stable: renamed into place (a new inode, as editors and config management
 * write), or not modified for `stableMs`, or unchanged across two stats `stableMs` apart; and
 * unchanged across the read. So a file rewritten in place in pieces is never half applied.
 */
export class FileSource implements PoolSource {
  readonly path: string;
  private readonly state: SourceState;
  private watcher: FSWatcher | null = null;
  private cancelPoll: Cancel | null = null;
  private cancelSettle: Cancel | null = null;
  private cancelStable: Cancel | null = null;
  /** The stat of the text last applied (or refused); '' = read again. */
  private stamp = '';
  /** The inode of the text last applied: another one means the file was renamed into place. */
  private appliedIno: number | null = null;
  /** A changed stat seen, and when: applied once it has held for stableMs. */
  private pending: { stamp: string; since: number } | null = null;
  private reading: Promise<void> | null = null;
  private again = false;
  private stopped = false;

  constructor(readonly url: string, private readonly opts: FileSourceOptions) {
    this.path = fileURLToPath(url);
    this.state = new SourceState(url, (opts.logger ?? silentLogger).child({ pool: redactUrl(url) }), limitsWith(opts.maxServers));
  }

  start(onUpdate: OnUpdate, onAlert: OnAlert, onRecover?: OnRecover): void {
    this.state.bind(onUpdate, onAlert, onRecover);
    if (this.opts.watch !== false) this.startWatch();
    this.check();
    this.poll();
  }

  private startWatch(): void {
    try {
      this.watcher = watch(dirname(this.path), (_event, name) => {
        if (name === null || name.toString() === basename(this.path)) this.soon();
      });
      this.watcher.on('error', () => { this.watcher?.close(); this.watcher = null; });
    } catch {
      this.watcher = null;
    }
  }

  last(): PoolServer[] | null { return this.state.last(); }

  async stop(): Promise<void> {
    this.stopped = true;
    this.watcher?.close();
    this.cancelPoll?.();
    this.cancelSettle?.();
    this.cancelStable?.();
    await this.reading;
  }

  private poll(): void {
    this.cancelPoll = this.opts.clock.setTimer(Math.min(this.opts.intervalMs ?? POLL_MAX_MS, POLL_MAX_MS), () => {
      if (this.stopped) return;
      this.check();
      this.poll();
    });
  }

  private soon(): void {
    if (this.stopped) return;
    this.cancelSettle?.();
    this.cancelSettle = this.opts.clock.setTimer(SETTLE_MS, () => this.check());
  }

  /** Re-reads when the file's stat changed; one read at a time. */
  private check(): void {
    if (this.stopped) return;
    if (this.reading) { this.again = true; return; }
    this.reading = this.read().finally(() => {
      this.reading = null;
      if (this.again && !this.stopped) { this.again = false; this.check(); }
    });
  }

  private later(ms: number): void {
    this.cancelStable?.();
    this.cancelStable = this.opts.clock.setTimer(Math.max(1, ms), () => this.check());
  }

  /** True when the stat `stamp` has held long enough to read; else a re-check is scheduled. */
  private settled(st: Stats, stamp: string): boolean {
    const stable = this.opts.stableMs ?? STABLE_MS;
    const now = this.opts.clock.now();
    // A new inode: renamed into place (editors, puppet), so written whole before it appeared.
    if (this.appliedIno !== null && st.ino !== this.appliedIno) return true;
    if (this.opts.clock.wallNow() - st.mtimeMs >= stable) return true;
    if (this.pending?.stamp !== stamp) this.pending = { stamp, since: now };
    const waited = now - this.pending.since;
    if (waited >= stable) return true;
    this.later(stable - waited);
    return false;
  }

  private async read(): Promise<void> {
    try {
      const st = await stat(this.path);
      const stamp = stampOf(st);
      if (stamp === this.stamp) { this.pending = null; return; }
      if (!this.settled(st, stamp)) return;
      const over = checkBytes(st.size, this.state.limits);
      if (over) {
        this.stamp = stamp;
        this.state.refuse(`${this.path}: ${over}`);
        return;
      }
      const text = await readFile(this.path, 'utf8');
      if (this.stopped) return;
      const after = stampOf(await stat(this.path));
      if (after !== stamp) { this.pending = null; this.later(0); return; }
      this.stamp = stamp;
      this.appliedIno = st.ino;
      this.pending = null;
      await this.state.applyText(text, this.path, formatOf(this.path), () => !this.stopped);
    } catch (e) {
      this.stamp = '';
      this.pending = null;
      const code = (e as NodeJS.ErrnoException).code;
      const why = code === 'ENOENT' ? 'no such file' : (e as Error).message;
      this.state.alert(`${this.path}: cannot read pool: ${why}${this.state.keeping()}`);
    }
  }
}
