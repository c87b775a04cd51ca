import { spawn, type ChildProcess } from 'node:child_process';
import { openSync, closeSync, readFileSync } from 'node:fs';
import { runCommand } from '../../src/process/command-runner.js';

/** Runs a short command (CLI query, ip, tcpdump helpers); resolves with its stdout, rejects with a readable error. */
export async function sh(cmd: string, args: readonly string[], timeoutMs = 10_000): Promise<string> {
  const r = await runCommand(cmd, args, {
    timeoutMs, maxOutputBytes: 8 << 20, env: { PATH: process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin' },
  });
  if (r.exitCode !== 0) {
    const why = r.spawnError ?? (r.timedOut ? `timed out after ${timeoutMs} ms` : `exit ${r.exitCode ?? r.signal}`);
    throw new Error(`${cmd} ${args.join(' ')}: ${why}: ${(r.stderr || r.stdout).trim().slice(0, 500)}`);
  }
  return r.stdout;
}

/** `ip netns exec NS` prefix, or nothing for the root namespace. */
export function inNetns(netns: string | undefined, cmd: string, args: string[]): [string, string[]] {
  return netns ? ['ip', ['netns', 'exec', netns, cmd, ...args]] : [cmd, args];
}

/** A long-running daemon we started as a direct child (foreground), so its pid is ours and node reaps it. */
export interface Daemon { pid: number; stop(): Promise<void>; exited: () => boolean; logFile: string }

export function startDaemon(cmd: string, args: string[], logFile: string, env: Record<string, string> = {}): Daemon {
  const fd = openSync(logFile, 'a');
  let child: ChildProcess;
  try {
    child = spawn(cmd, args, { stdio: ['ignore', fd, fd], env: { ...process.env, ...env } });
  } finally {
    closeSync(fd);
  }
  let done = false;
  const exit = new Promise<void>((resolve) => {
    child.once('exit', () => { done = true; resolve(); });
    child.once('error', () => { done = true; resolve(); });
  });
  if (child.pid === undefined) throw new Error(`could not start ${cmd}`);
  const pid = child.pid;
  return {
    pid,
    logFile,
    exited: () => done,
    async stop() {
      if (done) return;
      child.kill('SIGTERM');
      const killed = await Promise.race([exit.then(() => true), sleep(3000).then(() => false)]);
      if (!killed) {
        child.kill('SIGKILL');
        await exit;
      }
    },
  };
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Polls `check` until it returns a value (not undefined/false) or the deadline passes; bounded. */
export async function waitFor<T>(what: string, timeoutMs: number, check: () => Promise<T | undefined | false>, everyMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (let i = 0; i < 100_000; i++) {
    try {
      const v = await check();
      if (v !== undefined && v !== false) return v;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() >= deadline) break;
    await sleep(everyMs);
  }
  const why = lastError instanceof Error ? `: ${lastError.message}` : '';
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${why}`);
}

export function readLog(file: string): string {
  try { return readFileSync(file, 'utf8'); } catch { return ''; }
}
