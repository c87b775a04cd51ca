import t from 'tap';
import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { findTool } from '../support/require-tool.js';
import { needTools } from '../lab/need-tools.js';

// Issue 11: "conf/vipd.service grants ambient CAP_NET_ADMIN, which every RunCommand child
// inherits". vipd is run here as the unit runs it: not root, ambient CAP_NET_ADMIN and
// CAP_NET_BIND_SERVICE (setpriv sets that up as systemd would). An unconfined child (what ipvsadm
// is) still gets CAP_NET_ADMIN; a RunCommand check's child gets no capability and no_new_privs.
const CHILD = `
const { createMonitor, checkWithTimeout } = await import(${JSON.stringify(resolve('dist/health/index.js'))});
const { runCommand } = await import(${JSON.stringify(resolve('dist/process/command-runner.js'))});
const { systemClock } = await import(${JSON.stringify(resolve('dist/time/clock.js'))});
const { createLogger } = await import(${JSON.stringify(resolve('dist/log/logger.js'))});
const grep = ['-E', '^(CapEff|CapAmb|CapPrm|NoNewPrivs):', '/proc/self/status'];
const plain = await runCommand('/bin/grep', grep, { timeoutMs: 5000, maxOutputBytes: 4096 });
const logs = [];
const logger = createLogger({ level: 'debug', json: true, write: (l) => logs.push(JSON.parse(l).msg) });
const m = createMonitor('RunCommand', { command: '/bin/grep', arguments: grep }, { logger });
const r = await checkWithTimeout(m.value, { host: 'h', ip: '127.0.0.1', port: 80 }, systemClock);
process.stdout.write(JSON.stringify({ plain: plain.stdout, check: logs.find((l) => l.startsWith('Cmd stdout')) ?? '', up: r.up, logs }));
`;

t.test('as the service unit runs vipd: ipvsadm-like children keep CAP_NET_ADMIN, check commands get nothing', async (t) => {
  if (!needTools(t, 'setpriv')) return;
  if (process.getuid?.() !== 0) { t.comment('SKIPPED: needs root to start vipd as another user with ambient capabilities'); return; }
  const { stdout } = await promisify(execFile)(findTool('setpriv')!, [
    '--reuid=65534', '--regid=65534', '--clear-groups',
    '--inh-caps=+net_admin,+net_bind_service', '--ambient-caps=+net_admin,+net_bind_service',
    process.execPath, '--input-type=module', '-e', CHILD,
  ], { timeout: 60_000, env: { PATH: process.env.PATH ?? '/usr/bin:/bin' } });
  const out = JSON.parse(stdout) as { plain: string; check: string; up: boolean; logs: string[] };
  const field = (text: string, name: string): string | undefined => new RegExp(`${name}:(?:\\t|\\\\t)(\\w+)`).exec(text)?.[1];
  // CAP_NET_ADMIN is bit 12, CAP_NET_BIND_SERVICE bit 10: 0x1400.
  t.equal(field(out.plain, 'CapAmb'), '0000000000001400', 'the unconfined child inherits what vipd holds (ipvsadm needs it)');
  t.equal(out.up, true, out.logs.join('\n'));
  t.equal(field(out.check, 'CapAmb'), '0000000000000000', out.check);
  t.equal(field(out.check, 'CapEff'), '0000000000000000');
  t.equal(field(out.check, 'CapPrm'), '0000000000000000');
  t.equal(field(out.check, 'NoNewPrivs'), '1');
});
