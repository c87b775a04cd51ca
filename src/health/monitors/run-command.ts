import type { Logger } from '../../log/logger.js';
import { silentLogger } from '../../log/logger.js';
import type { CommandRunner } from '../../process/command-runner.js';
import { redactText } from '../../log/redact.js';
import type { CheckResult, Monitor, Schedule, Target } from '../monitor.js';
import { readOptions, scheduleOf, type MonitorOptions } from '../options.js';
import type { CheckSignal } from '../check-signal.js';

export interface RunCommandConfig {
  schedule: Schedule;
  command: string;
  arguments: string[];
  env: Record<string, string>;
  logOutput: boolean;
  maxOutputBytes: number;
}

const PLACEHOLDER = /^server\.(host|ip|port|weight)$|\{server\.(host|ip|port|weight)\}/g;

export function parseRunCommand(options: MonitorOptions): RunCommandConfig {
  const o = readOptions('RunCommand', options);
  // PYBAL.md §3.4: timeout 0 means none; here the interval then bounds the command.
  const schedule = scheduleOf(o.timeout === 0 ? { ...o, timeout: o.interval } : o);
  const env: Record<string, string> = {};
  for (const kv of o.env ?? []) {
    const eq = kv.indexOf('=');
    env[kv.slice(0, eq)] = kv.slice(eq + 1);
  }
  // No arguments given: run with none (PyBal passed one empty argument, PYBAL.md §3.4).
  return { schedule, command: o.command, arguments: [...o.arguments], env, logOutput: o['log-output'], maxOutputBytes: o['max-output-bytes'] };
}

/** `server.host` as a whole argument, or `{server.host}` inside one, becomes the server's value. */
export function substitute(arg: string, t: Target): string {
  const value = (field: string): string =>
    field === 'host' ? t.host : field === 'ip' ? t.ip : field === 'port' ? String(t.port) : String(t.weight ?? '');
  return arg.replace(PLACEHOLDER, (_m, whole: string | undefined, inner: string | undefined) => value(whole ?? inner ?? ''));
}

const escape = (s: string): string => s.replace(/\n/g, '\\n').replace(/\r/g, '\\r').replace(/\t/g, '\\t');

/** Runs a command per check, no shell, empty environment, own process group; exit 0 is up. */
export class RunCommandMonitor implements Monitor {
  readonly kind = 'RunCommand';
  readonly schedule: Schedule;
  constructor(
    private readonly cfg: RunCommandConfig,
    private readonly runner: CommandRunner,
    private readonly log: Logger = silentLogger,
  ) {
    this.schedule = cfg.schedule;
  }

  async check(target: Target, signal: CheckSignal): Promise<CheckResult> {
    const args = this.cfg.arguments.map((a) => substitute(a, target));
    const r = await this.runner.run(this.cfg.command, args, {
      env: this.cfg.env, timeoutMs: this.schedule.timeoutMs, maxOutputBytes: this.cfg.maxOutputBytes, signal,
      confine: true, logger: this.log,
    });
    const ctx = { server: target.host, monitor: this.kind };
    if (this.cfg.logOutput) {
      if (r.stdout) this.log.debug(`Cmd stdout: ${escape(redactText(r.stdout))}`, ctx);
      if (r.stderr) this.log.debug(`Cmd stderr: ${escape(redactText(r.stderr))}`, ctx);
    }
    if (r.leftoversKilled) this.log.warn('killed processes left behind by the check command', ctx);
    const details = { exitCode: r.exitCode ?? -1, signal: r.signal ?? '', containment: r.containment };
    if (r.spawnError) return { up: false, reason: `cannot run ${this.cfg.command}: ${r.spawnError}`, ms: r.durationMs };
    const killed = r.containment === 'cgroup' || r.containment === 'systemd-scope' ? 'every process of the check killed' : 'process group killed';
    // Output beyond max-output-bytes was read and discarded; the reason says so.
    const cut = r.stdoutTruncated || r.stderrTruncated ? ` (output beyond ${this.cfg.maxOutputBytes} bytes discarded)` : '';
    if (r.timedOut) return { up: false, reason: `timeout after ${this.schedule.timeoutMs} ms (${killed})${cut}`, ms: r.durationMs, details };
    if (r.aborted) return { up: false, reason: `aborted (${killed})${cut}`, ms: r.durationMs, details };
    if (r.exitCode === 0) return { up: true, reason: `exit code 0${cut}`, ms: r.durationMs, details };
    const how = r.exitCode !== null ? `exit code ${r.exitCode}` : `signal ${r.signal ?? '?'}`;
    return { up: false, reason: `command ended with ${how}${cut}`, ms: r.durationMs, details };
  }
}
