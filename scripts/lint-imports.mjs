#!/usr/bin/env node
// Enforces the import rules of DESIGN.md ("Who may import whom"): each src/ folder may import
// only the folders listed for it; the pure layers never touch sockets or timers; no module
// imports itself through others (an import cycle, type-only imports included).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, dirname, resolve, relative, sep } from 'node:path';

const ALLOWED = {
  time: [],
  bgp: [],
  // config validates monitor options against health's catalogue: the one place monitors and
  // their options are declared (issue 12 §4). Only that folder, which is held pure below.
  config: ['health/catalogue'],
  process: ['log'],
  pcap: [],
  log: [],
  fsm: ['bgp'],
  speaker: ['fsm', 'bgp', 'time', 'log'],
  health: ['time', 'process', 'log'],
  lvs: ['process', 'time', 'log'],
  pools: ['config', 'time', 'log'],
  coordinator: ['health', 'lvs', 'speaker', 'pools', 'config', 'time', 'log'],
  api: ['coordinator', 'speaker', 'health', 'lvs', 'pools', 'time', 'log'],
  // BFD (issue 14 §2): the native thread's sessions; the CLI ties them to the speaker's peers.
  bfd: ['time', 'log'],
  cli: ['*'],
};
// Pure layers: no sockets, no timers, no child processes.
const PURE = ['bgp', 'fsm', 'config', 'time'];
// Pure folders inside an impure layer, and the only files outside themselves they may import;
// what a pure layer reaches through them stays pure.
const PURE_ISLANDS = { 'health/catalogue': ['log/redact.ts'] };
const IMPURE_MODULES = /^(node:)?(net|dgram|tls|http|https|child_process|timers|dns)(\/|$)/;
const TIMER_CALL = /\b(setTimeout|setInterval|setImmediate)\s*\(/;

const root = resolve(process.argv[2] ?? 'src');
const problems = [];
/** Module graph (file → files it imports, type-only imports included) for the cycle check. */
const graph = new Map();

function walk(dir) {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p);
    else if (p.endsWith('.ts')) check(p);
  }
}

const posix = (p) => p.split(sep).join('/');
const islandOf = (file) => Object.keys(PURE_ISLANDS).find((i) => posix(relative(root, file)).startsWith(i + '/')) ?? null;

function folderOf(file) {
  const rel = relative(root, file);
  return rel.includes(sep) ? rel.split(sep)[0] : null;
}

function check(file) {
  const src = readFileSync(file, 'utf8');
  const from = folderOf(file);
  const isTest = file.endsWith('.test.ts');
  const island = isTest ? null : islandOf(file);
  const pure = PURE.includes(from) || island !== null || Object.values(PURE_ISLANDS).flat().includes(posix(relative(root, file)));
  const lines = src.split('\n');
  lines.forEach((line, i) => {
    const where = `${relative('.', file)}:${i + 1}`;
    for (const m of line.matchAll(/(?:from\s+|import\s*\(\s*|^\s*import\s+)['"]([^'"]+)['"]/g)) {
      const spec = m[1];
      if (spec.startsWith('.')) {
        const target = resolve(dirname(file), spec);
        if (!isTest) graph.set(file, [...(graph.get(file) ?? []), target.replace(/\.js$/, '.ts')]);
        if (!target.startsWith(root + sep)) {
          if (!isTest) problems.push(`${where}: src code imports from outside src: '${spec}'`);
          continue;
        }
        const to = folderOf(target);
        const toPath = posix(relative(root, target)).replace(/\.js$/, '.ts');
        if (island && !toPath.startsWith(island + '/') && !PURE_ISLANDS[island].includes(toPath))
          problems.push(`${where}: pure '${island}' may import only itself and ${PURE_ISLANDS[island].join(', ')} ('${spec}')`);
        if (!from || !to || to === from) continue;
        if (to === 'cli') {
          problems.push(`${where}: nothing may import cli ('${spec}')`);
          continue;
        }
        const allowed = ALLOWED[from];
        if (!allowed) problems.push(`${where}: folder '${from}' has no import rule in scripts/lint-imports.mjs`);
        else if (!isTest && !allowed.includes('*') && !allowed.includes(to) && !allowed.some((a) => a.includes('/') && toPath.startsWith(a + '/')))
          problems.push(`${where}: '${from}' may not import '${to}' ('${spec}'); allowed: ${allowed.join(', ') || 'nothing'}`);
      } else if (pure && !isTest && IMPURE_MODULES.test(spec) && from !== 'time') {
        problems.push(`${where}: pure layer '${island ?? from}' may not import '${spec}'`);
      }
    }
    if (pure && from !== 'time' && !isTest && TIMER_CALL.test(line) && !/^\s*(\/\/|\*)/.test(line))
      problems.push(`${where}: pure layer '${island ?? from}' may not use timers`);
  });
}

/** Every import cycle once (a module that reaches itself), as "a.ts → b.ts → a.ts". */
function cycles() {
  const state = new Map(); // 1 = on the current path, 2 = done
  const path = [];
  const found = [];
  const visit = (f) => {
    state.set(f, 1);
    path.push(f);
    for (const to of graph.get(f) ?? []) {
      if (state.get(to) === 1) found.push([...path.slice(path.indexOf(to)), to].map((x) => relative('.', x)).join(' → '));
      else if (!state.has(to)) visit(to);
    }
    path.pop();
    state.set(f, 2);
  };
  for (const f of [...graph.keys()].sort()) if (!state.has(f)) visit(f);
  return found;
}

walk(root);
for (const c of cycles()) problems.push(`import cycle: ${c}`);
if (problems.length) {
  for (const p of problems) console.error(p);
  console.error(`${problems.length} import-rule violation(s)`);
  process.exit(1);
}
console.log('import rules: ok');
