import t from 'tap';
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { findTool } from '../support/require-tool.js';
import { needTools } from '../lab/need-tools.js';
import { tempDir } from './e2e-helpers.js';

// conf/vipd.service: systemd accepts it, and it grants only what ipvsadm and port 179 need.
const unit = readFileSync('conf/vipd.service', 'utf8');
const values = (key: string): string[] =>
  unit.split('\n').filter((l) => l.startsWith(`${key}=`)).map((l) => l.slice(key.length + 1));

t.test('capabilities limited to CAP_NET_ADMIN and CAP_NET_BIND_SERVICE, run as a user, reload is SIGHUP', async (t) => {
  t.same(values('AmbientCapabilities'), ['CAP_NET_ADMIN CAP_NET_BIND_SERVICE']);
  t.same(values('CapabilityBoundingSet'), ['CAP_NET_ADMIN CAP_NET_BIND_SERVICE']);
  t.same(values('User'), ['vipd']);
  t.same(values('NoNewPrivileges'), ['yes']);
  // Check commands run in a delegated cgroup (a timeout kills daemonised children too).
  t.same(values('Delegate'), ['yes']);
  t.same(values('ProtectControlGroups'), ['no']);
  t.match(unit, /Check commands \(RunCommand\) get none/, 'the unit says children get no capabilities');
  t.match(values('ExecStart')[0], /^\/usr\/bin\/vipd run -c \/etc\/vipd\/vipd\.conf$/);
  t.same(values('ExecReload'), ['/bin/kill -HUP $MAINPID']);
  t.same(values('KillSignal'), ['SIGTERM']);
  // Issue 14 §1: SIGTERM is the planned restart with bgp-graceful-restart; SIGUSR1's full stop exits 0 and stays stopped
  t.same(values('RestartPreventExitStatus'), ['0']);
  t.match(unit, /systemctl kill -s SIGUSR1 vipd/, 'the unit names the full stop');
});

t.test('systemd-analyze verify finds nothing wrong (with ExecStart pointed at this build)', async (t) => {
  if (!needTools(t, 'systemd-analyze')) return;
  const sa = findTool('systemd-analyze')!;
  const dir = tempDir(t);
  const main = resolve('dist/cli/main.js');
  const file = join(dir, 'vipd.service');
  writeFileSync(file, unit.replace('/usr/bin/vipd run', `${process.execPath} ${main} run`));
  const r = await promisify(execFile)(sa, ['verify', file]).then((x) => ({ ...x, code: 0 }), (e: { code: number; stdout: string; stderr: string }) => e);
  t.equal(r.code, 0, r.stderr);
  t.equal(r.stderr.trim(), '', 'no warnings');
});
