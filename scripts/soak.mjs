#!/usr/bin/env node
// `npm run soak -- [--minutes 60] [--servers 1000] [--warmup MIN] [--api-rate 200] [--timeout-auto] [--keep]`:
// builds dist/ (vipd itself) and the bench (tsconfig.bench.json), then runs bench/soak.ts.
// On a shared machine, its own session at high priority (docs/reliability.md "Soak"):
//   setsid bash -c 'echo -15 > /proc/self/autogroup; exec npm run soak -- --minutes 60 --timeout-auto'
import { spawnSync } from 'node:child_process';

for (const cfg of ['tsconfig.build.json', 'tsconfig.bench.json']) {
  const build = spawnSync('npx', ['tsc', '-p', cfg], { stdio: 'inherit' });
  if (build.status !== 0) process.exit(1);
}
const r = spawnSync('node', ['build/bench/bench/soak.js', ...process.argv.slice(2)], { stdio: 'inherit' });
process.exit(r.status ?? 1);
