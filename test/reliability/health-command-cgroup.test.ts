import t from 'tap';
import { createMonitor, HealthRunner, type Monitor, type MonitorOptions, type Target, type Transition } from '../../src/health/index.js';
import { createLogger } from '../../src/log/logger.js';
import { systemClock } from '../../src/time/clock.js';
import { setContainment } from '../../src/process/confine.js';
import { inCI } from '../support/require-tool.js';
import { withMarker } from '../support/process-group.js';

// Issue 11: "A RunCommand check whose script daemonises (setsid) leaves one orphan per check: the
// process-group kill cannot reach it", and "conf/vipd.service grants ambient CAP_NET_ADMIN, which
// every RunCommand child inherits". Real child processes, real cgroup, real /proc.


async function settle(marker: string): Promise<number[]> {
  let left = withMarker(marker);
  for (let i = 0; i < 50 && left.length > 0; i++) { await new Promise((r) => setTimeout(r, 20)); left = withMarker(marker); }
  return left;
}

const killAll = (pids: number[]): void => { for (const p of pids) { try { process.kill(p, 'SIGKILL'); } catch { /* gone */ } } };

function monitor(options: MonitorOptions, logs: string[] = []): Monitor {
  const logger = createLogger({ level: 'debug', json: true, write: (l) => logs.push(l) });
  const m = createMonitor('RunCommand', options, { logger });
  if (!m.ok) throw new Error(m.error);
  return m.value;
}

/** A unique number: the daemon's sleep time, so every process of it shows it in its command line. */
const uniqueMarker = (): string => `9${process.pid}${Math.floor(Math.random() * 1e6)}`;

/** A check that leaves a daemon (new session, so outside the process group) and then hangs. */
const daemonising = (marker: string): MonitorOptions => ({
  command: '/bin/sh', arguments: ['-c', `setsid /bin/sh -c 'sleep ${marker} & wait' & sleep 1000`],
  interval: 0.4, timeout: 0.8, rise: 1, fall: 1,
});

async function runFor(pairs: [Target, Monitor][], ms: number): Promise<Transition[]> {
  const transitions: Transition[] = [];
  const runner = new HealthRunner({ clock: systemClock, onTransition: (x) => transitions.push(x), random: () => 0 });
  for (const [target, m] of pairs) runner.add(target, m);
  await new Promise((r) => setTimeout(r, ms));
  runner.stop();
  return transitions;
}

const a: Target = { host: 'a.example.test', ip: '127.46.0.1', port: 80 };
const b: Target = { host: 'b.example.test', ip: '127.46.0.2', port: 80 };

t.test('without a cgroup (the old way) the daemon survives the timeout: the fault is real', async (t) => {
  setContainment({ kind: 'process-group', why: 'this test', setpriv: null });
  t.teardown(() => setContainment(null));
  const marker = uniqueMarker();
  await runFor([[a, monitor(daemonising(marker))]], 1500);
  const left = await settle(marker);
  killAll(left);
  t.ok(left.length > 0, `orphans left by the process-group kill: ${left.join(' ')}`);
});

t.test('in a cgroup every process of a timed-out check is killed; the other server never moves', async (t) => {
  setContainment(null);
  const marker = uniqueMarker();
  const logs: string[] = [];
  const hang = monitor(daemonising(marker), logs);
  const fine = monitor({ command: '/bin/true', interval: 0.4, timeout: 0.8, rise: 1, fall: 1 });
  const transitions = await runFor([[a, hang], [b, fine]], 3000);
  const left = await settle(marker);
  killAll(left);
  const kinds = logs.map((l) => (JSON.parse(l) as { msg: string }).msg).filter((m) => /check commands/.test(m));
  if (kinds.some((m) => /process group only/.test(m))) {
    const why = `this host offers no cgroup for checks: ${kinds.join('; ')}`;
    if (inCI()) t.fail(why); else t.comment(`SKIPPED: ${why}`);
    return;
  }
  t.same(left, [], 'no process of the check outlives it');
  const ofA = transitions.filter((x) => x.target.host === a.host);
  const ofB = transitions.filter((x) => x.target.host === b.host);
  t.same(ofA.map((x) => x.up), [false]);
  t.match(ofA[0]?.reason, /timeout after 800 ms/);
  t.same(ofB.map((x) => x.up), [true], 'the healthy server: up once, no other transition');
});

t.test('a check command has no capabilities and no_new_privs; its output is bounded', async (t) => {
  const logs: string[] = [];
  const m = monitor({ command: '/bin/grep', arguments: ['-E', '^(CapInh|CapPrm|CapEff|CapAmb|NoNewPrivs):', '/proc/self/status'] }, logs);
  const { checkWithTimeout } = await import('../../src/health/index.js');
  const r = await checkWithTimeout(m, a, systemClock);
  t.equal(r.up, true, r.reason);
  const out = logs.map((l) => (JSON.parse(l) as { msg: string }).msg).find((l) => l.startsWith('Cmd stdout')) ?? '';
  const field = (name: string): string | undefined => new RegExp(`${name}:\\\\t(\\w+)`).exec(out)?.[1];
  t.equal(field('CapEff'), '0000000000000000', out);
  t.equal(field('CapPrm'), '0000000000000000');
  t.equal(field('CapAmb'), '0000000000000000');
  t.equal(field('CapInh'), '0000000000000000');
  t.equal(field('NoNewPrivs'), '1');
  const noisy = monitor({ command: '/bin/sh', arguments: ['-c', 'head -c 200000 /dev/zero | tr "\\0" x; exit 1'], 'log-output': 'no' });
  const n = await checkWithTimeout(noisy, a, systemClock);
  t.equal(n.up, false);
  t.match(n.reason, /command ended with exit code 1 \(output beyond 65536 bytes discarded\)/);
});

t.test('check commands do not outlive vipd: an exit mid-check kills what the check started', async (t) => {
  const { execFile } = await import('node:child_process');
  const { resolve } = await import('node:path');
  const { detectContainment } = await import('../../src/process/cgroup.js');
  const { runCommand } = await import('../../src/process/command-runner.js');
  const here = await detectContainment(async (f, a) => (await runCommand(f, a, { timeoutMs: 5000, maxOutputBytes: 1024 })).exitCode);
  if (here.kind === 'process-group') {
    if (inCI()) t.fail(here.why); else t.comment(`SKIPPED: ${here.why}`);
    return;
  }
  const marker = uniqueMarker();
  const script = `
const { runCommand } = await import(${JSON.stringify(resolve('dist/process/command-runner.js'))});
void runCommand('/bin/sh', ['-c', "setsid /bin/sh -c 'sleep ${marker} & wait' & sleep 1000"], { timeoutMs: 60000, maxOutputBytes: 1024, confine: true })
  .then((r) => process.stdout.write('finished ' + JSON.stringify(r)));
setTimeout(() => process.exit(0), 1500);
`;
  const out = await new Promise<string>((res, rej) => execFile(process.execPath,
    ['--input-type=module', '-e', script], { timeout: 60_000 }, (e, stdout) => (e ? rej(e) : res(stdout))));
  t.equal(out, '', 'vipd exited while the check ran');
  const left = await settle(marker);
  killAll(left);
  t.same(left, [], 'the daemonised child of the check is gone with vipd');
});
