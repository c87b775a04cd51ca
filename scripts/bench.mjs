#!/usr/bin/env node
// Runs benchmarks: `node scripts/bench.mjs [name ...] [--option ...]` runs bench/<name>.bench.ts (all when none named).
// Each benchmark prints its own figures; record them in docs/benchmarks.md with this command.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';

// Arguments from the first `--x` on go to every benchmark run (`npm run bench:flood -- --minutes 2`).
const args = process.argv.slice(2);
const cut = args.findIndex((a) => a.startsWith('--'));
const wanted = cut < 0 ? args : args.slice(0, cut);
const forward = cut < 0 ? [] : args.slice(cut);
const all = readdirSync('bench').filter((f) => f.endsWith('.bench.ts')).map((f) => f.replace(/\.bench\.ts$/, '')).sort();
const names = wanted.length ? wanted : all;
// Benchmarks run as compiled JavaScript, exactly as vipd itself runs.
const build = spawnSync('npx', ['tsc', '-p', 'tsconfig.bench.json'], { stdio: 'inherit' });
if (build.status !== 0) process.exit(1);
let failed = 0;
for (const name of names) {
  if (!all.includes(name)) {
    console.error(`bench: no benchmark named '${name}' (have: ${all.join(', ') || 'none'})`);
    failed++;
    continue;
  }
  console.log(`\n=== bench/${name}.bench.ts ===`);
  const r = spawnSync('node', ['--expose-gc', `build/bench/bench/${name}.bench.js`, ...forward], { stdio: 'inherit' });
  if (r.status !== 0) failed++;
}
process.exit(failed ? 1 : 0);
