import t from 'tap';
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const lint = (root: string) => spawnSync('node', ['scripts/lint-imports.mjs', root], { encoding: 'utf8' });

t.test('the real tree follows the import rules', async (t) => {
  const r = lint('src');
  t.equal(r.status, 0, r.stderr);
});

t.test('violations are reported with file and line', async (t) => {
  const dir = t.testdir();
  for (const f of ['bgp', 'fsm', 'health', 'cli']) mkdirSync(join(dir, f));
  writeFileSync(join(dir, 'cli', 'main.ts'), "import '../bgp/a.js';\n");
  writeFileSync(join(dir, 'bgp', 'a.ts'), "import { x } from '../health/h.js';\nimport net from 'node:net';\nsetTimeout(() => 0, 1);\n");
  writeFileSync(join(dir, 'fsm', 'f.ts'), "import '../bgp/a.js';\nimport '../cli/main.js';\n");
  writeFileSync(join(dir, 'health', 'h.ts'), 'export const x = 1;\n');
  const r = lint(dir);
  t.equal(r.status, 1);
  t.match(r.stderr, /bgp\/a\.ts:1: 'bgp' may not import 'health'/);
  t.match(r.stderr, /bgp\/a\.ts:2: pure layer 'bgp' may not import 'node:net'/);
  t.match(r.stderr, /bgp\/a\.ts:3: pure layer 'bgp' may not use timers/);
  t.match(r.stderr, /fsm\/f\.ts:2: nothing may import cli/);
  t.notMatch(r.stderr, /fsm\/f\.ts:1:/);
  t.match(r.stderr, /4 import-rule violation/);
});

t.test('an import cycle is reported, type-only imports included (issue 12 §7: reload.ts ↔ daemon.ts was one)', async (t) => {
  const dir = t.testdir();
  mkdirSync(join(dir, 'cli'));
  writeFileSync(join(dir, 'cli', 'daemon.ts'), "import { applyReload } from './reload.js';\nexport class Daemon {}\n");
  writeFileSync(join(dir, 'cli', 'reload.ts'), "import type { Daemon } from './daemon.js';\nexport const applyReload = (d: Daemon) => d;\n");
  writeFileSync(join(dir, 'cli', 'leaf.ts'), "import './daemon.js';\n");
  const r = lint(dir);
  t.equal(r.status, 1);
  t.match(r.stderr, /import cycle: .*cli\/daemon\.ts → .*cli\/reload\.ts → .*cli\/daemon\.ts/);
  t.match(r.stderr, /1 import-rule violation/, 'reported once');
});
