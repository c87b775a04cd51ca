// npm run bench:ipvs — issue 5 §6, issue 13 §2/§5. Host: planner + `-Sn` parser for 100 services × 100 servers;
// every IPVS path at 10,000 and 40,000 realservers; the longest event-loop block of a sliced read.
// Guest (QEMU, real IPVS): 10,000 changes as one `ipvsadm -R` batch with read-back vs one call each.
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { silentLogger } from '../src/log/logger.js';
import { applyCommands, DryRunDriver, parseSave, parseSaveSliced, plan, renderBatch, type Command, type IpvsTable } from '../src/lvs/index.js';
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
    const g = JSON.parse(readFileSync(join(rw, 'result.json'), 'utf8')) as {
      changes: number; batchMs: number; readMs: number; sample: number; perCallMs: number; batchBytes: number;
      addMs: number; adds: number; checkMs: number; longestBlockMs: number;
    };
    const perCallTotal = g.perCallMs * g.changes;
    console.log(`guest (TCG, boot + run ${((performance.now() - t0) / 1000).toFixed(0)} s):`);
    console.log(`  ${g.adds} adds to an empty table (one read of the empty table, one batch, no read-back): ${(g.addMs / 1000).toFixed(2)} s`);
    console.log(`  one ipvsadm -R batch of ${g.changes} changes (${g.batchBytes} bytes) planned on the known table, no read: ${(g.batchMs / 1000).toFixed(2)} s`);
    console.log(`  the periodic check (full read-back, plan, nothing to do): ${(g.checkMs / 1000).toFixed(2)} s`);
    console.log(`  one read (ipvsadm -Sn + -Ln --thresholds, sliced parse): ${(g.readMs / 1000).toFixed(2)} s`);
    console.log(`  longest event-loop block during all of the above: ${g.longestBlockMs.toFixed(1)} ms (target < 50 ms)`);
    console.log(`  one ipvsadm call per change: ${g.perCallMs.toFixed(0)} ms each (mean of ${g.sample} calls) → ${(perCallTotal / 1000).toFixed(0)} s for ${g.changes}`);
    console.log(`  batch wins ${(perCallTotal / g.batchMs).toFixed(0)}x (target >= 50x)`);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

/** Issue 13 §2 figures: each path at 10,000 and 40,000 realservers in one service (best of 5). */
function scalePart(): void {
  const best = (f: () => unknown): number => {
    let b = Infinity;
    for (let i = 0; i < 5; i++) { const t0 = performance.now(); f(); b = Math.min(b, performance.now() - t0); }
    return b;
  };
  for (const n of [10_000, 40_000]) {
    const t = benchTable(1, n, 1);
    const one = [{ ...t[0]!, realServers: t[0]!.realServers.map((r, i) => (i === 5 ? { ...r, weight: 7 } : r)) }];
    const adds = asAdds(t);
    const saved = renderBatch(adds);
    const f = (ms: number): string => `${ms.toFixed(1)} ms`;
    console.log(`host, ${n} realservers: applyCommands of ${adds.length} adds ${f(best(() => applyCommands([], adds)))}, `
      + `parse -Sn ${f(best(() => parseSave(saved)))}, plan ${n} → ${n} with 1 change ${f(best(() => plan(one, t)))}, `
      + `render the add batch ${f(best(() => renderBatch(adds)))}`);
  }
}

/** The dry-run driver applying a 10,000-add batch, and the longest event-loop block of a sliced -Sn parse. */
async function loopPart(): Promise<void> {
  const t = benchTable(1, 10_000, 1);
  const t0 = performance.now();
  await new DryRunDriver({ owned: [], logger: silentLogger }).apply(t);
  const dry = performance.now() - t0;
  const saved = renderBatch(asAdds(benchTable(1, 40_000, 1)));
  let longest = 0;
  let last = performance.now();
  let on = true;
  const tick = (): void => { const now = performance.now(); longest = Math.max(longest, now - last); last = now; if (on) setImmediate(tick); };
  setImmediate(tick);
  const t1 = performance.now();
  await parseSaveSliced(saved);
  const parse = performance.now() - t1;
  on = false;
  console.log(`host: dry-run driver, 10,001-command batch from empty: ${dry.toFixed(1)} ms; `
    + `sliced parse of 40,000 -Sn lines: ${parse.toFixed(1)} ms, longest event-loop block ${longest.toFixed(1)} ms (target < 50 ms)`);
}

hostPart();
scalePart();
await loopPart();
if (process.env.IPVS_BENCH_HOST_ONLY !== '1') await guestPart();
