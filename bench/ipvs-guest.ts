// Runs INSIDE the IPVS guest for bench/ipvs.bench.ts: 10,000 realserver changes as one
// `ipvsadm -R` batch (with read-back and verify) versus one ipvsadm call per change.
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

await driver.apply(before);
const t0 = performance.now();
const batch = await driver.apply(after);
const batchMs = performance.now() - t0;
const t2 = performance.now();
const table = await driver.read();
const readMs = performance.now() - t2;
if (table.length !== 100) throw new Error(`read back ${table.length} services`);

// one ipvsadm call per change: a sample of the same -e commands, back to weight 1
const edits: Command[] = before.flatMap((s) => s.realServers.map((server) => ({ op: 'edit-server' as const, key: s.key, server })));
const t1 = performance.now();
for (const c of edits.slice(0, sample)) {
  const r = await commandRunner.run('ipvsadm', renderCommand(c).split(' '), { env, timeoutMs: 60_000, maxOutputBytes: 65_536 });
  if (r.exitCode !== 0) throw new Error(`ipvsadm ${renderCommand(c)}: ${r.stderr}`);
}
const perCallMs = (performance.now() - t1) / sample;
writeFileSync(resultFile!, JSON.stringify({ changes: batch.commands.length, batchMs, readMs, sample, perCallMs, batchBytes: batch.batch.length }));
console.log(`guest bench done: ${batch.commands.length} changes`);
