import { execa } from 'execa';
import { accessSync, constants } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import type { Logger } from '../log/logger.js';
import { prepareConfinement, type Confinement } from './confine.js';

/** How to run one child process. No shell is ever involved. */
export interface RunOptions {
  /** Written to the child's stdin, then stdin is closed (ipvsadm -R batches). */
  input?: string | Uint8Array;
  /** The child's whole environment; empty when absent (nothing is inherited). */
  env?: Readonly<Record<string, string>>;
  /** Hard limit: the whole process group gets SIGKILL when it is reached. */
  timeoutMs: number;
  /** Each of stdout and stderr is kept up to this many bytes; the rest is read and dropped. */
  maxOutputBytes: number;
  cwd?: string;
  /** Aborting kills the whole process group, like a timeout. */
  signal?: Pick<AbortSignal, 'aborted' | 'addEventListener' | 'removeEventListener'>;
  /**
   * Health checks: the child runs in its own cgroup (a transient systemd scope, or a cgroup v2
   * directory of vipd's own) so a timeout kills every process, daemonised ones included, and
   * with no capabilities (ambient, inheritable and, when vipd may, bounding sets emptied;
   * no_new_privs). Privileged children (ipvsadm, ip) are not confined.
   */
  confine?: boolean;
  /** Where the confinement mode (and a fallback to the process group) is said, once. */
  logger?: Logger;
  /**
   * Streams stdout: each piece of decoded text as it arrives (within maxOutputBytes), and the
   * result's `stdout` stays empty; the caller parses as it goes (a 10,000-server `ipvsadm -Sn`).
   */
  onStdout?: (text: string) => void;
}

export interface RunResult {
  /** Exit status, or null when the child was ended by a signal or never started. */
  exitCode: number | null;
  /** The signal that ended the child (e.g. 'SIGKILL'), or null. */
  signal: string | null;
  stdout: string;
  stderr: string;
  stdoutTruncated: boolean;
  stderrTruncated: boolean;
  timedOut: boolean;
  aborted: boolean;
  /** Processes of the child's group were still alive after it exited and were killed. */
  leftoversKilled: boolean;
  /** Set when the command could not be started at all (e.g. ENOENT, EACCES). */
  spawnError: string | null;
  durationMs: number;
  /** How the run was held together: 'cgroup', 'systemd-scope', 'process-group' (confined runs), 'none'. */
  containment: Confinement['kind'] | 'none';
}

/** The one way vipd starts child processes (RunCommand monitors, ipvsadm). */
export interface CommandRunner {
  run(cmd: string, args: readonly string[], opts: RunOptions): Promise<RunResult>;
}

/**
 * One output stream, decoded as it arrives: each chunk (64 KB at most from a pipe) is turned into
 * text on its own, so a 10 MB `ipvsadm -Sn` costs the loop many short steps instead of one long
 * Buffer.concat + decode at exit (351 ms in the TCG guest at 10,000 realservers; issue 13 §5).
 * A UTF-8 sequence split between chunks is kept whole by the decoder.
 */
class Capture {
  private parts: string[] = [];
  private size = 0;
  private readonly decoder = new StringDecoder('utf8');
  truncated = false;
  constructor(private readonly cap: number, private readonly sink?: (text: string) => void) {}
  add(chunk: Buffer): void {
    const room = this.cap - this.size;
    if (room <= 0) { this.truncated = true; return; }
    const part = chunk.length > room ? chunk.subarray(0, room) : chunk;
    if (part.length < chunk.length) this.truncated = true;
    this.size += part.length;
    const text = this.decoder.write(part);
    if (this.sink) { if (text) this.sink(text); } else this.parts.push(text);
  }
  text(): string {
    const rest = this.decoder.end();
    if (this.sink) { if (rest) this.sink(rest); return ''; }
    this.parts.push(rest);
    const text = this.parts.join('');
    this.parts = [text];
    return text;
  }
}

/** Signals a whole process group; false when no process of the group is left. */
function killGroup(pgid: number, sig: NodeJS.Signals | 0): boolean {
  try {
    process.kill(-pgid, sig);
    return true;
  } catch {
    return false;
  }
}

function describe(err: unknown): string {
  if (err && typeof err === 'object') {
    const e = err as { code?: unknown; message?: unknown };
    if (typeof e.code === 'string') return `${e.code}: ${String(e.message ?? '')}`.trim();
    if (typeof e.message === 'string') return e.message;
  }
  return String(err);
}

/** The probes' plain runner: exit code, or null when the program could not run. */
const probe = async (file: string, args: string[]): Promise<number | null> =>
  (await runCommand(file, args, { timeoutMs: 5000, maxOutputBytes: 4096 })).exitCode;

export async function runCommand(cmd: string, args: readonly string[], opts: RunOptions): Promise<RunResult> {
  const started = performance.now();
  let confined: Confinement | null = null;
  if (opts.confine) {
    // The wrappers would report a missing command as their own exit 127: say it as a spawn error.
    try { accessSync(cmd, constants.X_OK); } catch (e) { return notStarted(describe(e), started); }
    confined = await prepareConfinement(cmd, args, probe, opts.logger);
  }
  const out = new Capture(opts.maxOutputBytes, opts.onStdout);
  const err = new Capture(opts.maxOutputBytes);
  let timedOut = false;
  let aborted = false;
  let leftoversKilled = false;
  let exitCode: number | null = null;
  let signal: string | null = null;
  let reaped: Promise<boolean> = Promise.resolve(false);

  const child = execa(confined?.file ?? cmd, confined?.args ?? [...args], {
    detached: true, // own session and process group (setsid)
    env: { ...(opts.env ?? {}) },
    extendEnv: false,
    cwd: opts.cwd,
    ...(opts.input === undefined
      ? { stdin: 'ignore' as const }
      : { input: typeof opts.input === 'string' ? opts.input : Buffer.from(opts.input) }),
    buffer: false,
    reject: false,
    stripFinalNewline: false,
    cleanup: true,
  });
  const pid = child.pid;
  child.stdout?.on('data', (c: Buffer) => out.add(c));
  child.stderr?.on('data', (c: Buffer) => err.add(c));

  const exited = new Promise<void>((resolve) => {
    child.once('exit', (code, sig) => {
      exitCode = code;
      signal = sig;
      // Anything left in the group (daemonised grandchildren, pipes held open) goes now.
      if (pid !== undefined && killGroup(pid, 0)) {
        leftoversKilled = killGroup(pid, 'SIGKILL');
      }
      // Daemonised ones left the group but not the cell; they may hold the output pipes open.
      if (confined) reaped = confined.reapLeftovers();
      resolve();
    });
  });

  const killAll = (): void => {
    if (pid !== undefined) killGroup(pid, 'SIGKILL');
    confined?.killAll();
  };
  const timer = setTimeout(() => { timedOut = true; killAll(); }, Math.max(0, opts.timeoutMs));
  const onAbort = (): void => { aborted = true; killAll(); };
  if (opts.signal?.aborted) onAbort();
  else opts.signal?.addEventListener('abort', onAbort, { once: true });

  let spawnError: string | null = null;
  try {
    const result = await child;
    if (pid === undefined || (result.failed && result.exitCode === undefined && result.signal === undefined)) {
      spawnError = describe(result.cause ?? result.message);
    }
  } catch (e) {
    spawnError = describe(e);
  } finally {
    clearTimeout(timer);
    opts.signal?.removeEventListener('abort', onAbort);
  }
  if (pid !== undefined && spawnError === null) await exited;
  if (confined) {
    if (await reaped) leftoversKilled = true;
    await confined.release();
  }

  return {
    exitCode,
    signal,
    stdout: out.text(),
    stderr: err.text(),
    stdoutTruncated: out.truncated,
    stderrTruncated: err.truncated,
    timedOut,
    aborted,
    leftoversKilled: leftoversKilled && !timedOut && !aborted,
    spawnError,
    durationMs: performance.now() - started,
    containment: confined?.kind ?? 'none',
  };
}

function notStarted(spawnError: string, started: number): RunResult {
  return {
    exitCode: null, signal: null, stdout: '', stderr: '', stdoutTruncated: false, stderrTruncated: false, timedOut: false,
    aborted: false, leftoversKilled: false, spawnError, durationMs: performance.now() - started, containment: 'none',
  };
}

/** The real runner; inject a fake CommandRunner in unit tests of pure logic. */
export const commandRunner: CommandRunner = { run: runCommand };
