import t from 'tap';
import { readdirSync } from 'node:fs';
import { runCommand } from './command-runner.js';
import { cellPids, detectContainment, killCell, openCell, releaseCell } from './cgroup.js';
import { JOIN_CGROUP } from './containment.js';
import { setContainment } from './confine.js';
import { createLogger } from '../log/logger.js';
import { inCI } from '../../test/support/require-tool.js';
import { withMarker } from '../../test/support/process-group.js';

// Real child processes in a real cgroup v2 directory (where this host has a writable one).
const probe = async (file: string, args: string[]): Promise<number | null> =>
  (await runCommand(file, args, { timeoutMs: 5000, maxOutputBytes: 4096 })).exitCode;


t.test('no writable cgroup: the process group, and the reason is said once in the log', async (t) => {
  const none = await detectContainment(probe, { systemdBooted: false, procSelfCgroup: '0::/\n', mountinfo: '' });
  t.equal(none.kind, 'process-group');
  t.match(none.kind === 'process-group' ? none.why : '', /systemd is not running; no cgroup v2 hierarchy/);
  const ro = await detectContainment(probe, {
    systemdBooted: false, procSelfCgroup: '0::/\n', mountinfo: '1 0 0:1 / /proc/sys rw - cgroup2 cgroup2 rw',
  });
  t.match(ro.kind === 'process-group' ? ro.why : '', /cannot create \/proc\/sys\/vipd-checks-\d+/);
  setContainment(ro);
  t.teardown(() => setContainment(null));
  const lines: string[] = [];
  const logger = createLogger({ json: true, write: (l) => lines.push(l) });
  for (let i = 0; i < 2; i++) {
    const r = await runCommand('/bin/true', [], { timeoutMs: 5000, maxOutputBytes: 1024, confine: true, logger });
    t.equal(r.exitCode, 0);
    t.equal(r.containment, 'process-group');
  }
  t.equal(lines.filter((l) => l.includes('confined by their process group only')).length, 1, 'said once');
});

t.test('in a cgroup: a daemonised child is killed on timeout, the run cgroup is removed', async (t) => {
  const c = await detectContainment(probe, { noSystemd: true });
  if (c.kind !== 'cgroup') {
    const why = `no writable cgroup v2 here: ${c.kind === 'process-group' ? c.why : c.kind}`;
    if (inCI()) t.fail(why); else t.comment(`SKIPPED: ${why}`);
    return;
  }
  setContainment(c);
  t.teardown(() => setContainment(null));
  const marker = `9${process.pid}${Math.floor(Math.random() * 1e6)}`; // the daemon's sleep time: in every command line
  const r = await runCommand('/bin/sh', ['-c', `setsid /bin/sh -c 'sleep ${marker} & wait' & sleep 1000`], {
    timeoutMs: 500, maxOutputBytes: 1024, confine: true,
  });
  t.equal(r.timedOut, true);
  t.equal(r.containment, 'cgroup');
  let left = withMarker(marker);
  for (let i = 0; i < 50 && left.length > 0; i++) { await new Promise((res) => setTimeout(res, 20)); left = withMarker(marker); }
  for (const pid of left) process.kill(pid, 'SIGKILL');
  t.same(left, [], 'the setsid child is gone');
  t.same(readdirSync(c.dir).filter((n) => n.startsWith('run-')), [], 'no run cgroup left behind');
});

t.test('kernels without cgroup.kill: freeze, kill every pid of cgroup.procs, thaw', async (t) => {
  const c = await detectContainment(probe, { noSystemd: true });
  if (c.kind !== 'cgroup') { t.comment('SKIPPED: no writable cgroup v2 here'); return; }
  const dir = openCell(c.dir, 1_000_000 + process.pid);
  t.ok(dir, 'a run cgroup');
  if (!dir) return;
  const marker = `8${process.pid}${Math.floor(Math.random() * 1e6)}`;
  // Joins the cell, leaves a daemon in a new session (given time to call setsid before the group kill
  // at exit), exits: only the cell still holds the daemon.
  const r = await runCommand('/bin/sh', ['-c', JOIN_CGROUP, dir, '/bin/sh', '-c', `setsid sleep ${marker} > /dev/null 2>&1 < /dev/null & sleep 0.5`], {
    timeoutMs: 5000, maxOutputBytes: 1024,
  });
  t.equal(r.exitCode, 0);
  t.equal(withMarker(marker).length, 1, 'the daemon runs');
  t.ok(cellPids(dir).length > 0);
  t.equal(killCell(dir, false), true);
  t.ok(await releaseCell(dir), 'emptied and removed');
  const left = withMarker(marker);
  for (const pid of left) process.kill(pid, 'SIGKILL');
  t.same(left, []);
});
