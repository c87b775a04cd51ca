/**
 * One confined run: the argv that starts the command in its own cell (systemd scope or cgroup)
 * with no capabilities, and how to kill everything in that cell. What the host offers is found
 * once per process; a fallback to the process group is said once in the log.
 */
import type { Logger } from '../log/logger.js';
import { detectContainment, killCell, mayDropBounding, openCell, releaseCell, type ProbeRun } from './cgroup.js';
import { confinedInvocation, type Containment } from './containment.js';

export interface Confinement {
  file: string;
  args: string[];
  kind: Containment['kind'];
  /** SIGKILL to every process of the run (timeout, abort). */
  killAll(): void;
  /** After the command's own process exited: kills what it left behind; true when there was something. */
  reapLeftovers(): Promise<boolean>;
  /** Removes the run's cell. */
  release(): Promise<void>;
}

let detected: Promise<Containment> | null = null;
let said = false;
let seq = 0;

/** Replaces the detected containment (tests that force a mode); null detects again. */
export function setContainment(c: Containment | null): void {
  detected = c ? Promise.resolve(c) : null;
  said = false;
}

function sayOnce(c: Containment, log: Logger | undefined): void {
  if (said || !log) return;
  said = true;
  if (c.kind === 'process-group') {
    log.warn(`check commands are confined by their process group only: a daemonised child can escape the kill (${c.why})`, { component: 'process' });
  } else {
    log.info(`check commands run in ${c.kind === 'cgroup' ? `cgroup ${c.dir}` : 'transient systemd scopes'}`, { component: 'process' });
  }
  if (!c.setpriv) log.warn('setpriv (util-linux) not found: check commands keep the capabilities they inherit', { component: 'process' });
}

export async function prepareConfinement(
  cmd: string, args: readonly string[], probe: ProbeRun, log: Logger | undefined,
): Promise<Confinement> {
  detected ??= detectContainment(probe);
  const c = await detected;
  sayOnce(c, log);
  const n = seq++;
  const drop = mayDropBounding();
  if (c.kind === 'cgroup') {
    const runDir = openCell(c.dir, n);
    if (runDir) {
      const inv = confinedInvocation(c, cmd, args, { runDir }, drop);
      return {
        ...inv, kind: 'cgroup',
        killAll: () => { killCell(runDir); },
        reapLeftovers: () => Promise.resolve(killCell(runDir)),
        release: async () => { await releaseCell(runDir); },
      };
    }
  }
  if (c.kind === 'systemd-scope') {
    const unit = `vipd-check-${process.pid}-${n}.scope`;
    const inv = confinedInvocation(c, cmd, args, { unit }, drop);
    const kill = (): Promise<number | null> => probe(c.systemctl, ['kill', '--no-ask-password', '--kill-who=all', '--signal=SIGKILL', unit]);
    return {
      ...inv, kind: 'systemd-scope',
      killAll: () => { void kill(); },
      // systemctl fails when the scope is already gone (empty scopes end by themselves).
      reapLeftovers: async () => (await kill()) === 0,
      release: () => Promise.resolve(),
    };
  }
  const inv = confinedInvocation({ kind: 'process-group', why: '', setpriv: c.setpriv }, cmd, args, {}, drop);
  return { ...inv, kind: 'process-group', killAll: () => {}, reapLeftovers: () => Promise.resolve(false), release: () => Promise.resolve() };
}
