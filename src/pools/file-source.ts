import { watch, type FSWatcher } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { silentLogger, type Logger } from '../log/logger.js';
import type { Cancel, Clock } from '../time/clock.js';
import { parsePool } from './parse.js';
import { SourceState } from './source-state.js';
import type { OnAlert, OnRecover, OnUpdate, PoolServer, PoolSource } from './types.js';

export interface FileSourceOptions {
  clock: Clock;
  logger?: Logger;
  /** Polling interval (the fallback when fs.watch misses a change), ms; at most 500 so a change shows within 1 s. */
  intervalMs?: number;
  /** Use fs.watch (default true); false leaves polling alone. */
  watch?: boolean;
}

const SETTLE_MS = 25;
const POLL_MAX_MS = 500;

/** file:///path — PyBal legacy lines or .json; fs.watch on the folder plus stat polling. */
export class FileSource implements PoolSource {
  readonly path: string;
  private readonly state: SourceState;
  private watcher: FSWatcher | null = null;
  private cancelPoll: Cancel | null = null;
  private cancelSettle: Cancel | null = null;
  private stamp = '';
  private reading: Promise<void> | null = null;
  private again = false;
  private stopped = false;

  constructor(readonly url: string, private readonly opts: FileSourceOptions) {
    this.path = fileURLToPath(url);
    this.state = new SourceState(url, (opts.logger ?? silentLogger).child({ pool: url }));
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

  private async read(): Promise<void> {
    try {
      const st = await stat(this.path);
      const stamp = `${st.ino}:${st.size}:${st.mtimeMs}:${st.ctimeMs}`;
      if (stamp === this.stamp) return;
      const text = await readFile(this.path, 'utf8');
      if (this.stopped) return;
      this.stamp = stamp;
      this.state.applyParsed(parsePool(text, this.path));
    } catch (e) {
      this.stamp = '';
      const code = (e as NodeJS.ErrnoException).code;
      const why = code === 'ENOENT' ? 'no such file' : (e as Error).message;
      const keep = this.state.last();
      this.state.alert(`${this.path}: cannot read pool: ${why}${keep ? `; keeping the previous ${keep.length} servers` : ''}`);
    }
  }
}
