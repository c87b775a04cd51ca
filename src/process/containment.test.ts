import t from 'tap';
import { capEff, cgroup2Dir, confinedInvocation, hasSetpcap, JOIN_CGROUP, setprivArgs } from './containment.js';

const HYBRID_MOUNTS = [
  '31 22 0:27 / /sys/fs/cgroup ro,nosuid - tmpfs tmpfs ro,mode=755',
  '34 31 0:30 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory',
  '41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw',
].join('\n');
const UNIFIED_MOUNTS = '29 22 0:26 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:4 - cgroup2 cgroup2 rw,nsdelegate';

t.test('cgroup2Dir: our v2 cgroup under the cgroup2 mount', async (t) => {
  t.equal(cgroup2Dir('0::/system.slice/vipd.service\n', UNIFIED_MOUNTS), '/sys/fs/cgroup/system.slice/vipd.service');
  t.equal(cgroup2Dir('4:memory:/x\n0::/\n', HYBRID_MOUNTS), '/sys/fs/cgroup/unified', 'hybrid layout, root cgroup');
  t.equal(cgroup2Dir('4:memory:/x\n', HYBRID_MOUNTS), null, 'v1 only: not in the v2 hierarchy');
  t.equal(cgroup2Dir('0::/a\n', '34 31 0:30 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory'), null, 'no cgroup2 mount');
  // A container whose cgroup2 mount shows only its own sub-tree.
  t.equal(cgroup2Dir('0::/lxc/c1/app\n', '50 1 0:40 /lxc/c1 /sys/fs/cgroup rw - cgroup2 cgroup2 rw'), '/sys/fs/cgroup/app');
  t.equal(cgroup2Dir('0::/a b\n', '29 22 0:26 / /sys/fs/cgroup\\040x rw - cgroup2 cgroup2 rw'), '/sys/fs/cgroup x/a b', 'octal escapes');
});

t.test('CAP_SETPCAP decides whether the bounding set can be emptied', async (t) => {
  t.equal(capEff('CapInh:\t0000000000000000\nCapEff:\t000001fffeffffff\n'), '000001fffeffffff');
  t.equal(hasSetpcap('000001fffeffffff'), true, 'root');
  t.equal(hasSetpcap('0000000000003000'), false, 'CAP_NET_ADMIN and CAP_NET_BIND_SERVICE only (the service unit)');
  t.equal(hasSetpcap('zz'), false);
});

t.test('setpriv arguments drop every capability and set no_new_privs', async (t) => {
  t.same(setprivArgs(false), ['--no-new-privs', '--inh-caps=-all', '--ambient-caps=-all', '--']);
  t.same(setprivArgs(true).slice(-2), ['--bounding-set=-all', '--']);
});

t.test('confined argv: cgroup join, systemd scope, process group; the command words stay separate', async (t) => {
  const setpriv = '/usr/bin/setpriv';
  const cg = confinedInvocation({ kind: 'cgroup', dir: '/cg/vipd', setpriv }, '/bin/check', ['a b', '$X'], { runDir: '/cg/vipd/run-1' }, false);
  t.same(cg, { file: '/bin/sh', args: ['-c', JOIN_CGROUP, '/cg/vipd/run-1', setpriv, ...setprivArgs(false), '/bin/check', 'a b', '$X'] });
  const scope = confinedInvocation({ kind: 'systemd-scope', systemdRun: '/usr/bin/systemd-run', systemctl: '/usr/bin/systemctl', setpriv: null },
    '/bin/check', ['x'], { unit: 'vipd-check-1-0.scope' }, true);
  t.same(scope, { file: '/usr/bin/systemd-run', args: ['--scope', '--quiet', '--collect', '--no-ask-password', '--unit=vipd-check-1-0.scope', '--', '/bin/check', 'x'] });
  const pg = confinedInvocation({ kind: 'process-group', why: 'none', setpriv }, '/bin/check', [], {}, true);
  t.same(pg, { file: setpriv, args: [...setprivArgs(true), '/bin/check'] });
});
