// `vipd run` under bounded V8 heaps (issue 13 §3, src/cli/run/heap-flags.ts): started as the tests and
// benches start it (`node dist/cli/main.js run`), the same process (same pid: restarted in place)
// must end up with the heap flags on node's command line. Needs
// `npx tsc -p tsconfig.build.json` and the native addon (npm run build:native).
import t from 'tap';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startDaemon, readLog, waitFor } from '../lab/proc.js';
import { tempDir } from './e2e-helpers.js';
import { HEAP_FLAGS } from '../../src/cli/run/heap-flags.js';

const cmdline = (pid: number): string[] => readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);

function startVipd(t: { teardown(fn: () => unknown): void }, env: Record<string, string>): { pid: number; log: string; stop: () => Promise<void> } {
  const dir = tempDir(t);
  const conf = join(dir, 'vipd.conf');
  writeFileSync(conf, '[global]\nbgp = no\ninstrumentation = no\n');
  const log = join(dir, 'vipd.log');
  const d = startDaemon(process.execPath, ['dist/cli/main.js', 'run', '-n', '--allow-empty', '-c', conf, '--state-dir', dir], log, env);
  t.teardown(() => d.stop());
  return { pid: d.pid, log, stop: () => d.stop() };
}

t.test('vipd run restarts itself in place under the heap flags', async (t) => {
  if (!existsSync('dist/cli/main.js')) { t.fail('dist/cli/main.js missing: npx tsc -p tsconfig.build.json'); return; }
  const v = startVipd(t, { NODE_OPTIONS: '' });
  await waitFor('the heap line in the log', 60_000, async () => /node heap limits/.test(readLog(v.log)));
  const log = readLog(v.log);
  t.notMatch(log, /heap limits not set/, 'no warning that the limits are missing');
  t.match(log, /"level":"info","msg":"malloc: blocks of 1 MB and more mapped on their own, returned to the kernel when freed; free pages trimmed every 10 s/, "glibc's mmap threshold fixed (src/cli/run/malloc-tune.ts)");
  const args = cmdline(v.pid);
  for (const f of HEAP_FLAGS) t.ok(args.includes(f), `${f} on the command line of pid ${v.pid}: ${args.join(' ')}`);
  t.equal(args.filter((a) => a === HEAP_FLAGS[0]).length, 1, 'restarted once, not twice');
  t.equal(readFileSync(`/proc/${v.pid}/environ`, 'utf8').split('\0').includes('VIPD_HEAP_FLAGS=restarted'), true);
  await v.stop();
});

t.test("an operator's own heap flag is kept: no restart, said in the log", async (t) => {
  if (!existsSync('dist/cli/main.js')) { t.fail('dist/cli/main.js missing: npx tsc -p tsconfig.build.json'); return; }
  const v = startVipd(t, { NODE_OPTIONS: '--max-old-space-size=300' });
  await waitFor('the heap line in the log', 60_000, async () => /node heap limits/.test(readLog(v.log)));
  t.match(readLog(v.log), /"level":"info","msg":"node heap limits: node was given heap flags \(--max-old-space-size=300\): kept/);
  t.notOk(cmdline(v.pid).includes(HEAP_FLAGS[0]!), 'not restarted');
  await v.stop();
});
