/**
 * The driver for confined runs: finds out once what this host offers (a systemd scope, a cgroup v2
 * directory of vipd's own, or only the process group), gives each run its own cell, kills every
 * process of a cell, daemonised ones included, and removes the cell afterwards.
 */
import { accessSync, constants, existsSync, mkdirSync, readdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { capEff, cgroup2Dir, hasSetpcap, type Containment } from './containment.js';

/** The plain runner the probes use: argv in, exit code out (null when it could not run). */
export type ProbeRun = (file: string, args: string[]) => Promise<number | null>;

export interface DetectOptions {
  procSelfCgroup?: string;
  mountinfo?: string;
  /** sd_booted(): /run/systemd/system exists. */
  systemdBooted?: boolean;
  /** Skip the systemd scope even when systemd runs (tests of the cgroup path). */
  noSystemd?: boolean;
}

const read = (p: string): string => { try { return readFileSync(p, 'utf8'); } catch { return ''; } };

function findExecutable(names: string[]): string | null {
  for (const n of names) {
    try { accessSync(n, constants.X_OK); return n; } catch { /* next */ }
  }
  return null;
}

/** True when this process may empty the capability bounding set of its children. */
export const mayDropBounding = (): boolean => hasSetpcap(capEff(read('/proc/self/status')));


/** Tries each way in turn, by doing it once: a scope, then a cgroup directory, else the process group. */
export async function detectContainment(run: ProbeRun, o: DetectOptions = {}): Promise<Containment> {
  const setpriv = findExecutable(['/usr/bin/setpriv', '/bin/setpriv']);
  const booted = o.systemdBooted ?? existsSync('/run/systemd/system');
  const systemdRun = findExecutable(['/usr/bin/systemd-run', '/bin/systemd-run']);
  const systemctl = findExecutable(['/usr/bin/systemctl', '/bin/systemctl']);
  const tried: string[] = [];
  if (booted && !o.noSystemd && systemdRun && systemctl) {
    const code = await run(systemdRun, ['--scope', '--quiet', '--collect', '--no-ask-password', '--', '/bin/true']);
    if (code === 0) return { kind: 'systemd-scope', systemdRun, systemctl, setpriv };
    tried.push(`systemd-run --scope failed (exit ${code ?? 'none'})`);
  } else {
    tried.push(booted ? 'systemd-run/systemctl not found' : 'systemd is not running');
  }
  const base = cgroup2Dir(o.procSelfCgroup ?? read('/proc/self/cgroup'), o.mountinfo ?? read('/proc/self/mountinfo'));
  if (!base) {
    tried.push('no cgroup v2 hierarchy (no cgroup2 mount, or this process is not in it)');
    return { kind: 'process-group', why: tried.join('; '), setpriv };
  }
  sweepStale(base);
  const dir = `${base}/vipd-checks-${process.pid}`;
  try {
    mkdirSync(dir, { recursive: false });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') {
      tried.push(`cannot create ${dir}: ${(e as Error).message}`);
      return { kind: 'process-group', why: tried.join('; '), setpriv };
    }
  }
  const probe = `${dir}/probe`;
  try { mkdirSync(probe); } catch { /* the join below says whether it works */ }
  const code = await run('/bin/sh', ['-c', 'echo $$ > "$0/cgroup.procs"', probe]);
  removeCell(probe);
  if (code !== 0) {
    removeCell(dir);
    tried.push(`cannot move a process into ${dir} (exit ${code ?? 'none'})`);
    return { kind: 'process-group', why: tried.join('; '), setpriv };
  }
  // Check commands never outlive vipd; a directory still busy then is swept at the next start.
  process.once('exit', () => clearOwnDir(dir));
  return { kind: 'cgroup', dir, setpriv };
}

/** Directories left by a vipd that died without cleaning up (kill -9): their processes go, then the directories. */
function sweepStale(base: string): void {
  let names: string[] = [];
  try { names = readdirSync(base); } catch { return; }
  for (const name of names.slice(0, 1000)) {
    const m = /^vipd-checks-(\d+)$/.exec(name);
    if (!m || Number(m[1]) === process.pid || existsSync(`/proc/${m[1]}`)) continue;
    clearOwnDir(`${base}/${name}`);
  }
}

/** Kills what is left in every run cell of a vipd-checks directory, then removes what it can. */
function clearOwnDir(dir: string): void {
  let runs: string[] = [];
  try { runs = readdirSync(dir).filter((n) => /^(run-\d+|probe)$/.test(n)); } catch { return; }
  for (const run of runs) killCell(`${dir}/${run}`);
  // Killed processes take a moment to leave; wait for them, briefly (this also runs at exit, synchronously).
  const nap = new Int32Array(new SharedArrayBuffer(4));
  for (let i = 0; i < 40 && runs.some((run) => !removeCell(`${dir}/${run}`)); i++) Atomics.wait(nap, 0, 0, 5);
  removeCell(dir);
}

/** Pids in a cgroup (empty when it is gone). */
export function cellPids(dir: string): number[] {
  return read(`${dir}/cgroup.procs`).split('\n').filter((l) => /^\d+$/.test(l)).map(Number);
}

/**
 * SIGKILL to every process in the cgroup: `cgroup.kill` (Linux ≥ 5.14) kills all at once, forks
 * included; older kernels freeze the cgroup (no fork can slip past), kill each pid, then thaw.
 * True when there was something to kill.
 */
export function killCell(dir: string, useKillFile = true): boolean {
  if (cellPids(dir).length === 0) return false;
  if (useKillFile && existsSync(`${dir}/cgroup.kill`)) {
    try { writeFileSync(`${dir}/cgroup.kill`, '1'); return true; } catch { /* fall through */ }
  }
  const freeze = existsSync(`${dir}/cgroup.freeze`);
  try { if (freeze) writeFileSync(`${dir}/cgroup.freeze`, '1'); } catch { /* best effort */ }
  for (let round = 0; round < 10; round++) {
    const pids = cellPids(dir);
    if (pids.length === 0) break;
    for (const pid of pids) { try { process.kill(pid, 'SIGKILL'); } catch { /* already gone */ } }
  }
  try { if (freeze) writeFileSync(`${dir}/cgroup.freeze`, '0'); } catch { /* best effort */ }
  return true;
}

/** Removes an empty cgroup; killed processes take a moment to leave, so it retries (bounded). */
export function removeCell(dir: string): boolean {
  for (let i = 0; i < 3; i++) {
    try { rmdirSync(dir); return true; } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') return true;
      if (code !== 'EBUSY') return false;
    }
  }
  return false;
}

/** Waits (bounded, ~2 s) until the cgroup is empty, then removes it. */
export async function releaseCell(dir: string): Promise<boolean> {
  for (let i = 0; i < 200; i++) {
    if (cellPids(dir).length === 0 && removeCell(dir)) return true;
    if (i === 100) killCell(dir);
    await new Promise((r) => setTimeout(r, 10));
  }
  return false;
}

/** A new cgroup for one run inside vipd's own directory; null when it cannot be made. */
export function openCell(ownDir: string, seq: number): string | null {
  const dir = `${ownDir}/run-${seq}`;
  try { mkdirSync(dir); return dir; } catch { return null; }
}
