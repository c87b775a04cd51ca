import t from 'tap';
import { buildMonitors } from '../../src/cli/run/health-adapter.js';
import { formatIssue, parseConfig } from '../../src/config/index.js';
import { createMonitor, checkWithTimeout, type CheckResult, type MonitorOptions, type Target } from '../../src/health/index.js';
import { createLogger } from '../../src/log/logger.js';
import { systemClock } from '../../src/time/clock.js';
import { groupMembers } from '../support/process-group.js';

const target: Target = { host: 'app1.example.test', ip: '127.44.0.7', port: 8080, weight: 10 };


async function run(options: MonitorOptions, logs: string[] = []): Promise<CheckResult> {
  const logger = createLogger({ level: 'debug', json: true, write: (l) => logs.push(l) });
  const m = createMonitor('RunCommand', options, { logger });
  if (!m.ok) throw new Error(m.error);
  return checkWithTimeout(m.value, target, systemClock);
}

t.test('exit 0 is up, exit 1 is down', async (t) => {
  const up = await run({ command: '/bin/true' });
  t.equal(up.up, true);
  t.equal(up.reason, 'exit code 0');
  const down = await run({ command: '/bin/sh', arguments: ['-c', 'exit 1'] });
  t.equal(down.up, false);
  t.match(down.reason, /exit code 1/);
});

t.test('from pybal.conf: no runcommand.arguments runs the command with none (PyBal); [] and [""] are passed as given', async (t) => {
  // /bin/sh with no argument reads its (empty) stdin and exits 0; `sh ''` cannot open '' and fails
  const check = async (args: string | null): Promise<CheckResult> => {
    const text = '[web]\nprotocol = tcp\nip = 10.2.0.1\nport = 80\nscheduler = wrr\nconfig = file:///x\nmonitors = ["RunCommand"]\n'
      + `runcommand.command = /bin/sh\n${args === null ? '' : `runcommand.arguments = ${args}\n`}`;
    const c = parseConfig(text, 'f.conf');
    if (!c.ok) throw new Error(c.errors.map(formatIssue).join('\n'));
    const b = buildMonitors(c.config.services[0]!, { logger: createLogger({ level: 'error' }) });
    if ('error' in b) throw new Error(b.error);
    return checkWithTimeout(b.monitors[0]!, target, systemClock);
  };
  const none = await check(null);
  t.equal(none.up, true, none.reason);
  t.equal((await check('[]')).up, true);
  const empty = await check('[""]');
  t.equal(empty.up, false, 'one empty argument reaches the command');
  t.match(empty.reason, /exit code 127|exit code 2/);
});

t.test('server fields are substituted into the literal argument list; no shell, empty environment', async (t) => {
  process.env.VIPD_LEAK = 'leaked';
  t.teardown(() => { delete process.env.VIPD_LEAK; });
  const logs: string[] = [];
  const r = await run({
    command: '/bin/sh',
    arguments: ['-c', 'echo "$1 $2 $3 $4 [$VIPD_LEAK] [$HOME]"; test "$1" = app1.example.test', 'probe',
      'server.host', '{server.ip}:{server.port}', 'w=server.weight', 'server.weight'],
  }, logs);
  t.equal(r.up, true, r.reason);
  const out = logs.map((l) => JSON.parse(l) as { msg: string }).find((l) => l.msg.startsWith('Cmd stdout'));
  t.ok(out, 'stdout was logged');
  t.equal(out?.msg, 'Cmd stdout: app1.example.test 127.44.0.7:8080 w=server.weight 10 [] []\\n');
});

t.test('runcommand.env gives the environment', async (t) => {
  const logs: string[] = [];
  const r = await run({ command: '/bin/sh', arguments: ['-c', 'test "$MODE" = strict'], env: ['MODE=strict'] }, logs);
  t.equal(r.up, true, r.reason);
  t.equal((await run({ command: '/bin/sh', arguments: ['-c', 'test "$MODE" = strict'] })).up, false);
});

t.test('a command that hangs past the timeout while spawning children: the whole group dies', async (t) => {
  const logs: string[] = [];
  const r = await run({
    command: '/bin/sh', timeout: 0.5, 'log-output': 'yes',
    arguments: ['-c', 'echo $$; sleep 30 & (sleep 40 & sleep 50) & sleep 60; echo never'],
  }, logs);
  t.equal(r.up, false);
  t.match(r.reason, /timeout after 500 ms/);
  // The runner answers at the deadline; the monitor logs the output once the killed group is reaped.
  for (let i = 0; i < 100 && !logs.some((l) => l.includes('Cmd stdout')); i++) await new Promise((r) => setTimeout(r, 20));
  const out = logs.map((l) => JSON.parse(l) as { msg: string }).find((l) => l.msg.startsWith('Cmd stdout'));
  const pgid = Number(/Cmd stdout: (\d+)/.exec(out?.msg ?? '')?.[1]);
  t.ok(pgid > 1, `the command printed its pid (${out?.msg})`);
  await new Promise((r) => setTimeout(r, 50));
  t.same(groupMembers(pgid), [], 'no process of the group survives');
});

t.test('leftover processes after a normal exit are killed and a warning logged', async (t) => {
  const logs: string[] = [];
  const r = await run({ command: '/bin/sh', arguments: ['-c', 'sleep 30 & echo $$'] }, logs);
  t.equal(r.up, true);
  const parsed = logs.map((l) => JSON.parse(l) as { msg: string; level: string });
  t.ok(parsed.some((l) => l.level === 'warn' && /left behind/.test(l.msg)));
  const pgid = Number(/Cmd stdout: (\d+)/.exec(parsed.find((l) => l.msg.startsWith('Cmd stdout'))?.msg ?? '')?.[1]);
  t.same(groupMembers(pgid), []);
});

t.test('a command printing a lot is capped and still judged by its exit code', async (t) => {
  const logs: string[] = [];
  const r = await run({ command: '/bin/sh', arguments: ['-c', 'head -c 5000000 /dev/zero | tr "\\0" y; exit 0'], 'max-output-bytes': 4096 }, logs);
  t.equal(r.up, true, r.reason);
  const out = logs.map((l) => JSON.parse(l) as { msg: string }).find((l) => l.msg.startsWith('Cmd stdout'));
  t.equal(out?.msg.length, 'Cmd stdout: '.length + 4096);
  const quiet: string[] = [];
  await run({ command: '/bin/echo', arguments: ['hi'], 'log-output': false }, quiet);
  t.same(quiet.filter((l) => l.includes('Cmd stdout')), [], 'log-output = no keeps output out of the log');
});

t.test('a command that cannot run, or dies by a signal, is down', async (t) => {
  const missing = await run({ command: '/nonexistent/check' });
  t.equal(missing.up, false);
  t.match(missing.reason, /cannot run \/nonexistent\/check: .*ENOENT/);
  const killed = await run({ command: '/bin/sh', arguments: ['-c', 'kill -KILL $$'] });
  t.equal(killed.up, false);
  t.match(killed.reason, /signal SIGKILL/);
});
