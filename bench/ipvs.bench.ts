// npm run bench:ipvs — issue 5 §6. Host: planner + `-Sn` parser for 100 services × 100 servers.
// Guest (QEMU, real IPVS): 10,000 changes as one `ipvsadm -R` batch with read-back vs one call each.
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { parseSave, plan, renderBatch, type Command, type IpvsTable } from '../src/lvs/index.js';
import { compileForGuest, prepareGuest, repoRoot, runInGuest } from '../test/lab/ipvs-vm/guest.js';
import { benchTable } from './ipvs-table.js';

const asAdds = (t: IpvsTable): Command[] =>
  t.flatMap((s) => [{ op: 'add-service' as const, service: s }, ...s.realServers.map((server) => ({ op: 'add-server' as const, key: s.key, server }))]);

function hostPart(): void {
  const saved = renderBatch(asAdds(benchTable(100, 100, 1))); // what ipvsadm -Sn prints for it
  const desired = benchTable(100, 100, 2);
  const runs: number[] = [];
  let changes = 0;
  for (let i = 0; i < 30; i++) {
    const t0 = performance.now();
    const actual = parseSave(saved);
    changes = plan(desired, actual).length;
    runs.push(performance.now() - t0);
  }
  runs.sort((a, b) => a - b);
  const median = runs[Math.floor(runs.length / 2)]!;
  console.log(`host: parse -Sn (${saved.length} bytes, 10,000 realservers) + plan ${changes} changes: `
    + `median ${median.toFixed(1)} ms, best ${runs[0]!.toFixed(1)} ms over ${runs.length} runs (target < 50 ms)`);
}

async function guestPart(): Promise<void> {
  const ready = await prepareGuest();
  if (!ready.ok) { console.log(`guest: not run, setup failed:\n${ready.output}`); process.exitCode = 1; return; }
  const out = join(repoRoot, 'build', `ipvs-bench-${process.pid}`);
  try {
    const entry = compileForGuest('bench/ipvs-guest.ts', out, ['lvs', 'process', 'log', 'time']);
    compileForGuest('bench/ipvs-table.ts', out, []);
    const rw = join(out, 'results');
    mkdirSync(rw, { recursive: true });
    const sample = Number(process.env.IPVS_BENCH_SAMPLE ?? 200);
    const t0 = performance.now();
    const r = await runInGuest(['node', entry, join(rw, 'result.json'), String(sample)], rw, 1_200_000);
    if (r.exitCode !== 0) { console.log(`guest: failed (${r.exitCode}):\n${r.stdout}${r.stderr}`); process.exitCode = 1; return; }
    const g = JSON.parse(readFileSync(join(rw, 'result.json'), 'utf8')) as { changes: number; batchMs: number; readMs: number; sample: number; perCallMs: number; batchBytes: number };
    const perCallTotal = g.perCallMs * g.changes;
    console.log(`guest (TCG, boot + run ${((performance.now() - t0) / 1000).toFixed(0)} s):`);
    console.log(`  one ipvsadm -R batch of ${g.changes} changes (${g.batchBytes} bytes) incl. read, plan, read-back, verify: ${(g.batchMs / 1000).toFixed(2)} s`);
    console.log(`  of which one read (ipvsadm -Sn + -Ln --thresholds, parse; done twice): ${(g.readMs / 1000).toFixed(2)} s`);
    console.log(`  one ipvsadm call per change: ${g.perCallMs.toFixed(0)} ms each (mean of ${g.sample} calls) → ${(perCallTotal / 1000).toFixed(0)} s for ${g.changes}`);
    console.log(`  batch wins ${(perCallTotal / g.batchMs).toFixed(0)}x (target >= 50x)`);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

hostPart();
if (process.env.IPVS_BENCH_HOST_ONLY !== '1') await guestPart();
