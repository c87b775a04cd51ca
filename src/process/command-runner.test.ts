import t from 'tap';
import { runCommand } from './command-runner.js';
import { groupMembers } from '../../test/support/process-group.js';

const SH = '/bin/sh';

/** Group members, waiting (bounded, 1 s) for SIGKILLed ones to finish exiting on a loaded machine. */
async function survivors(pgid: number): Promise<number[]> {
  let left = groupMembers(pgid);
  for (let i = 0; i < 50 && left.length > 0; i++) { await new Promise((r) => setTimeout(r, 20)); left = groupMembers(pgid); }
  return left;
}
const base = { timeoutMs: 10_000, maxOutputBytes: 64 * 1024 };

t.test('exit 0: stdout captured, arguments passed literally without a shell', async (t) => {
  const r = await runCommand('/bin/echo', ['$HOME', 'a b', ';', 'ls'], base);
  t.equal(r.exitCode, 0);
  t.equal(r.signal, null);
  t.equal(r.stdout, '$HOME a b ; ls\n');
  t.equal(r.timedOut, false);
  t.equal(r.spawnError, null);
  t.ok(r.durationMs > 0);
});

t.test('non-zero exit and stderr', async (t) => {
  const r = await runCommand(SH, ['-c', 'echo oops >&2; exit 3'], base);
  t.equal(r.exitCode, 3);
  t.equal(r.stderr, 'oops\n');
  t.equal(r.stdout, '');
});

// tap's processinfo hook injects its own variables into every spawn made under test; drop them.
const envLines = (out: string): string[] =>
  out.split('\0').filter((l) => l && !l.startsWith('_TAPJS_') && !/^NODE_OPTIONS=.*@tapjs/.test(l));

t.test('environment is empty unless given', async (t) => {
  process.env.VIPD_TEST_SECRET = 'leak';
  t.teardown(() => { delete process.env.VIPD_TEST_SECRET; });
  const empty = await runCommand('/usr/bin/env', ['-0'], base);
  t.equal(empty.exitCode, 0);
  t.same(envLines(empty.stdout), []);
  const given = await runCommand('/usr/bin/env', ['-0'], { ...base, env: { ONLY: 'this' } });
  t.same(envLines(given.stdout), ['ONLY=this']);
});

t.test('input is written to stdin (ipvsadm -R style batches)', async (t) => {
  const batch = '-A -t 10.0.0.1:80 -s wrr\n-a -t 10.0.0.1:80 -r 10.0.1.1:80 -g -w 10\n';
  const r = await runCommand('/bin/cat', [], { ...base, input: batch });
  t.equal(r.exitCode, 0);
  t.equal(r.stdout, batch);
});

t.test('output beyond the cap is dropped but the child still finishes', async (t) => {
  const r = await runCommand(SH, ['-c', 'head -c 2000000 /dev/zero | tr "\\0" x; echo done >&2'], {
    ...base, maxOutputBytes: 1000,
  });
  t.equal(r.exitCode, 0);
  t.equal(r.stdout.length, 1000);
  t.match(r.stdout, /^x+$/);
  t.equal(r.stdoutTruncated, true);
  t.equal(r.stderr, 'done\n');
  t.equal(r.stderrTruncated, false);
});

t.test('timeout: the whole process group, children included, is killed', async (t) => {
  const r = await runCommand(SH, ['-c', 'sleep 30 & sleep 30 & echo $$; wait'], { ...base, timeoutMs: 300 });
  t.equal(r.timedOut, true);
  t.equal(r.exitCode, null);
  t.equal(r.signal, 'SIGKILL');
  const pgid = Number(r.stdout.trim());
  t.ok(pgid > 1, `child printed its pid: ${r.stdout}`);
  t.same(await survivors(pgid), [], 'no process of the group survives');
});

t.test('after exit, leftover processes of the group are killed', async (t) => {
  const r = await runCommand(SH, ['-c', 'sleep 30 & echo $$'], base);
  t.equal(r.exitCode, 0);
  t.equal(r.timedOut, false, 'a grandchild holding stdout open does not delay the result');
  t.equal(r.leftoversKilled, true);
  const pgid = Number(r.stdout.trim());
  t.same(await survivors(pgid), []);
});

t.test('no leftovers reported when the child leaves none', async (t) => {
  const r = await runCommand('/bin/true', [], base);
  t.equal(r.exitCode, 0);
  t.equal(r.leftoversKilled, false);
});

t.test('abort signal kills the group', async (t) => {
  const ac = new AbortController();
  setTimeout(() => ac.abort(), 100);
  const r = await runCommand(SH, ['-c', 'sleep 30 & echo $$; wait'], { ...base, signal: ac.signal });
  t.equal(r.aborted, true);
  t.equal(r.timedOut, false);
  t.same(await survivors(Number(r.stdout.trim())), []);
});

t.test('a command that cannot start gives spawnError, not an exception', async (t) => {
  const r = await runCommand('/nonexistent/vipd-probe', ['x'], base);
  t.equal(r.exitCode, null);
  t.match(r.spawnError, /ENOENT/);
});

t.test('death by signal is reported', async (t) => {
  const r = await runCommand(SH, ['-c', 'kill -TERM $$'], base);
  t.equal(r.exitCode, null);
  t.equal(r.signal, 'SIGTERM');
  t.equal(r.timedOut, false);
});
