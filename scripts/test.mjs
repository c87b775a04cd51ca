#!/usr/bin/env node
// The whole test suite: build, typecheck and compile the tests, import rules, then every tap test.
// Tests run as compiled JavaScript (build/test, tsconfig.test.json): the TypeScript loader cost
// ~2 s of start per file, ~5 minutes of a CI run. Ends with the plain line `P passed, F failed`.
// Usage: node scripts/test.mjs [--unit] [tap flag ...] [test file (.ts or compiled .js) or folder ...]
import { spawnSync, spawn } from 'node:child_process';
import { existsSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const OUT = 'build/test';
const args = process.argv.slice(2);
const unit = args.includes('--unit');
const tapFlags = args.filter((a) => a.startsWith('-') && a !== '--unit'); // passed to tap (-j1, --grep=...)
const paths = args.filter((a) => !a.startsWith('-'));

function step(name, cmd, cmdArgs) {
  const r = spawnSync(cmd, cmdArgs, { stdio: 'inherit' });
  if (r.status !== 0) {
    console.log(`\n${name} failed`);
    console.log('0 passed, 1 failed');
    process.exit(1);
  }
}

/** Compiled files whose source is gone (a renamed or deleted test must not run from an old copy). */
function pruneOrphans(dir) {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, e.name);
    if (e.isDirectory()) { pruneOrphans(path); continue; }
    const m = /^(.*)\.js(\.map)?$/.exec(relative(OUT, path));
    if (m && !existsSync(`${m[1]}.ts`)) rmSync(path);
  }
}

/** A path as given (src/x.test.ts, a folder, or already build/test/...) to its compiled test files. */
function compiled(p) {
  const path = p.startsWith(`${OUT}/`) ? p : join(OUT, p.replace(/\.ts$/, '.js'));
  if (!existsSync(path) || !statSync(path).isDirectory()) return [path];
  return readdirSync(path, { recursive: true }).map(String).filter((f) => f.endsWith('.test.js')).sort().map((f) => join(path, f));
}

step('build', 'npx', ['tsc', '-p', 'tsconfig.build.json']);
step('native', 'node', ['scripts/build-native.mjs', '--if-missing']);
step('typecheck', 'npx', ['tsc', '-p', 'tsconfig.test.json']);
pruneOrphans(OUT);
step('lint', 'node', ['scripts/lint-imports.mjs']);

const tapArgs = ['tap', '--reporter=tap', ...tapFlags];
const files = (unit ? ['src', ...paths] : paths).flatMap(compiled);
if ((unit || paths.length > 0) && files.length === 0) {
  console.log(`no test files in ${paths.join(' ')}\n0 passed, 1 failed`);
  process.exit(1);
}
tapArgs.push(...files);
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
