// Runs INSIDE the IPVS guest for bench/ipvs.bench.ts: 10,000 realservers added, then changed,
// each as one `ipvsadm -R` batch, a full read-back, versus one ipvsadm call per change.
// Usage: node ipvs-guest.js RESULT.json SAMPLE
import { writeFileSync } from 'node:fs';
import { silentLogger } from '../src/log/logger.js';
import { commandRunner } from '../src/process/command-runner.js';
import { IpvsadmDriver, renderCommand, type Command } from '../src/lvs/index.js';
import { benchTable } from './ipvs-table.js';

const [resultFile, sampleArg] = process.argv.slice(2);
const sample = Number(sampleArg ?? 200);
const env = { PATH: '/usr/sbin:/usr/bin:/sbin:/bin' };
const before = benchTable(100, 100, 1);
const after = benchTable(100, 100, 2);
const owned = before.map((s) => s.key);
const driver = new IpvsadmDriver({ runner: commandRunner, owned, logger: silentLogger, timeoutMs: 600_000 });

/** The longest the event loop was held while `work` ran (issue 13 §5: under 50 ms). */
async function longestBlock<T>(work: () => Promise<T>): Promise<{ value: T; ms: number; longest: number }> {
  let longest = 0;
  let last = performance.now();
  let on = true;
  const tick = (): void => { const now = performance.now(); longest = Math.max(longest, now - last); last = now; if (on) setImmediate(tick); };
  setImmediate(tick);
  const t0 = performance.now();
  const value = await work();
  const ms = performance.now() - t0;
  on = false;
  return { value, ms, longest };
}

// 10,100 adds to an empty table: one read (empty), one batch, nothing read back (issue 13 §2)
const add = await longestBlock(() => driver.apply(before));
// 10,000 edits planned on the table the driver knows: one batch, no read before or after
const edit = await longestBlock(() => driver.apply(after));
const batch = edit.value;
const batchMs = edit.ms;
// the periodic check: a full read-back of 10,000 realservers, planned, nothing to do
const check = await longestBlock(() => driver.apply(after, { readBack: true }));
if (check.value.commands.length) throw new Error(`the check found ${check.value.commands.length} differences`);
const read = await longestBlock(() => driver.read());
const readMs = read.ms;
const table = read.value;
if (table.length !== 100) throw new Error(`read back ${table.length} services`);

// one ipvsadm call per change: a sample of the same -e commands, back to weight 1
const edits: Command[] = before.flatMap((s) => s.realServers.map((server) => ({ op: 'edit-server' as const, key: s.key, server })));
const t1 = performance.now();
for (const c of edits.slice(0, sample)) {
  const r = await commandRunner.run('ipvsadm', renderCommand(c).split(' '), { env, timeoutMs: 60_000, maxOutputBytes: 65_536 });
  if (r.exitCode !== 0) throw new Error(`ipvsadm ${renderCommand(c)}: ${r.stderr}`);
}
const perCallMs = (performance.now() - t1) / sample;
writeFileSync(resultFile!, JSON.stringify({
  changes: batch.commands.length, batchMs, readMs, sample, perCallMs, batchBytes: batch.batch.length,
  addMs: add.ms, adds: add.value.commands.length, checkMs: check.ms,
  longestBlockMs: Math.max(add.longest, edit.longest, check.longest, read.longest),
}));
console.log(`guest bench done: ${batch.commands.length} changes`);
