/**
 * Pure parts of confining a check's child processes: where vipd's cgroup v2 directory is, and the
 * argv that puts a child into its cgroup (or systemd scope) with no capabilities. No files, no
 * processes here; src/process/cgroup.ts is the driver.
 */

/** How the processes of one confined run are held together and killed. */
export type Containment =
  | { kind: 'systemd-scope'; systemdRun: string; systemctl: string; setpriv: string | null }
  | { kind: 'cgroup'; dir: string; setpriv: string | null }
  | { kind: 'process-group'; why: string; setpriv: string | null };

/**
 * The directory of the cgroup v2 hierarchy this process is in: the `0::/path` line of
 * /proc/self/cgroup joined to the mount point of cgroup2 in /proc/self/mountinfo. Null when there
 * is no cgroup2 mount or the process is not in the v2 hierarchy.
 */
export function cgroup2Dir(procSelfCgroup: string, mountinfo: string): string | null {
  const line = procSelfCgroup.split('\n').find((l) => l.startsWith('0::'));
  if (!line) return null;
  const path = line.slice(3).trim();
  if (!path.startsWith('/')) return null;
  for (const l of mountinfo.split('\n')) {
    // mountinfo: id parent major:minor root mountpoint options [optional...] - fstype source superopts
    const dash = l.indexOf(' - ');
    if (dash < 0 || !l.slice(dash + 3).startsWith('cgroup2 ')) continue;
    const fields = l.slice(0, dash).split(' ');
    const root = unescapeMount(fields[3] ?? '');
    const mountpoint = unescapeMount(fields[4] ?? '');
    if (!mountpoint) continue;
    // A cgroup namespace or a bind mount may show a sub-tree: the mount's root is a prefix of our path.
    const rel = root === '/' ? path : path.startsWith(root + '/') || path === root ? path.slice(root.length) : null;
    if (rel === null) continue;
    return (mountpoint + (rel === '/' ? '' : rel)).replace(/\/+$/, '') || '/';
  }
  return null;
}

const unescapeMount = (s: string): string => s.replace(/\\([0-7]{3})/g, (_m, o: string) => String.fromCharCode(parseInt(o, 8)));

/** True when the capability set (hex from /proc/self/status, e.g. CapEff) holds CAP_SETPCAP (8). */
export function hasSetpcap(capHex: string): boolean {
  const v = /^[0-9a-f]+$/i.test(capHex.trim()) ? BigInt('0x' + capHex.trim()) : 0n;
  return (v & (1n << 8n)) !== 0n;
}

/** The CapEff value of /proc/self/status text ('0' when absent). */
export const capEff = (status: string): string => /^CapEff:\s*([0-9a-f]+)/im.exec(status)?.[1] ?? '0';

/**
 * setpriv(1) arguments that leave the child no capabilities: ambient and inheritable sets cleared,
 * no_new_privs set (no setuid or file-capability gains), and the bounding set emptied when vipd
 * may do so (CAP_SETPCAP; needed when vipd runs as root, where exec grants the bounding set).
 */
export function setprivArgs(dropBounding: boolean): string[] {
  return ['--no-new-privs', '--inh-caps=-all', '--ambient-caps=-all', ...(dropBounding ? ['--bounding-set=-all'] : []), '--'];
}

/** The shell text that moves itself into the cgroup given as $0, then becomes the command. */
export const JOIN_CGROUP = 'echo $$ > "$0/cgroup.procs" || { echo "vipd: cannot join cgroup $0" >&2; exit 125; }; exec "$@"';

export interface Invocation { file: string; args: string[] }

/**
 * The argv of one confined run: the command wrapped by setpriv (when present), then by the cgroup
 * join (`/bin/sh -c JOIN_CGROUP dir ...`; the script is fixed, the command's words stay separate
 * arguments) or by `systemd-run --scope`.
 */
export function confinedInvocation(
  c: Containment, cmd: string, args: readonly string[], where: { runDir?: string; unit?: string }, dropBounding: boolean,
): Invocation {
  const inner = c.setpriv ? [c.setpriv, ...setprivArgs(dropBounding), cmd, ...args] : [cmd, ...args];
  if (c.kind === 'cgroup' && where.runDir) return { file: '/bin/sh', args: ['-c', JOIN_CGROUP, where.runDir, ...inner] };
  if (c.kind === 'systemd-scope' && where.unit) {
    return { file: c.systemdRun, args: ['--scope', '--quiet', '--collect', '--no-ask-password', `--unit=${where.unit}`, '--', ...inner] };
  }
  return { file: inner[0]!, args: inner.slice(1) };
}
