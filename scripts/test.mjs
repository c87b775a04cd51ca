#!/usr/bin/env node
// The whole test suite: build, typecheck, import rules, then every tap test.
// Ends with the plain line `P passed, F failed` for CI.
// Usage: node scripts/test.mjs [--unit] [tap file or folder ...]
import { spawnSync, spawn } from 'node:child_process';

const args = process.argv.slice(2);
const unit = args.includes('--unit');
const paths = args.filter((a) => a !== '--unit');

function step(name, cmd, cmdArgs) {
  const r = spawnSync(cmd, cmdArgs, { stdio: 'inherit' });
  if (r.status !== 0) {
    console.log(`\n${name} failed`);
    console.log('0 passed, 1 failed');
    process.exit(1);
  }
}

step('build', 'npx', ['tsc', '-p', 'tsconfig.build.json']);
step('native', 'node', ['scripts/build-native.mjs', '--if-missing']);
step('typecheck', 'npx', ['tsc', '-p', 'tsconfig.json', '--noEmit']);
step('lint', 'node', ['scripts/lint-imports.mjs']);

const tapArgs = ['tap', '--reporter=tap'];
if (unit) tapArgs.push('src');
tapArgs.push(...paths);
const child = spawn('npx', tapArgs, { stdio: ['inherit', 'pipe', 'inherit'] });
let pass = 0;
let fail = 0;
let tail = '';
child.stdout.on('data', (buf) => {
  process.stdout.write(buf);
  tail = (tail + buf.toString()).slice(-4096);
});
child.on('close', (code) => {
  // tap's closing summary: "# { total: N, pass: P, fail: F, ... }"
  const m = /#\s*\{\s*total:\s*(\d+)([^}]*)\}/.exec(tail);
  if (m) {
    pass = Number(/pass:\s*(\d+)/.exec(m[2])?.[1] ?? 0);
    fail = Number(/fail:\s*(\d+)/.exec(m[2])?.[1] ?? 0);
  }
  if (code !== 0 && fail === 0) fail = 1;
  console.log(`${pass} passed, ${fail} failed`);
  process.exit(code ?? 1);
});
