#!/usr/bin/env node
// `npm run fuzz -- [options]`: compiles with tsconfig.bench.json (as scripts/bench.mjs does) and
// runs the fuzz campaign (bench/fuzz/main.ts). Options: --seed N, --target NAME (repeatable or
// comma-separated), --inputs N per target (default 10,000,000), --state FILE (resumable),
// --timeout-ms (per input, default 1000), --memory-mb (worker heap, default 512), --list.
// Long runs: flock /tmp/vipd-cpu.lock nice npm run fuzz -- ...
import { spawnSync } from 'node:child_process';

const build = spawnSync('npx', ['tsc', '-p', 'tsconfig.bench.json'], { stdio: 'inherit' });
if (build.status !== 0) process.exit(1);
const r = spawnSync('node', ['build/bench/bench/fuzz/main.js', ...process.argv.slice(2)], { stdio: 'inherit' });
process.exit(r.status ?? 1);
