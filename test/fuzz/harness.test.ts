// The fuzz harness's pure parts: input i is the same whenever it is made (resume, hang replay),
// the shrinker keeps failing inputs failing, the output measure stops at its bound.
import t from 'tap';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { check, shrink, sizeOf } from '../../bench/fuzz/check.js';
import { inputOf, sourceOf } from '../../bench/fuzz/inputs.js';
import { TARGETS, targetNamed } from '../../bench/fuzz/registry.js';
import type { FuzzTarget } from '../../bench/fuzz/target.js';
import { CpuBudget, currentThreadId, threadCpuMs } from '../../bench/fuzz/thread-cpu.js';

t.test('input i depends only on seed, target and i', async (t) => {
  const bgp = targetNamed('bgp')!;
  const a = sourceOf(bgp);
  const b = sourceOf(bgp);
  t.ok(a.corpus.length > 30, `bgp corpus from fixtures and captures (${a.corpus.length})`);
  for (const i of [0, a.corpus.length, 12_345, 9_999_999]) t.same(inputOf(bgp, a, 7, i), inputOf(bgp, b, 7, i), `input ${i}`);
  const distinct = new Set(Array.from({ length: 200 }, (_, k) => Buffer.from(inputOf(bgp, a, 7, a.corpus.length + k)).toString('hex')));
  t.ok(distinct.size > 150, `mutations differ (${distinct.size} distinct of 200)`);
  t.not(Buffer.from(inputOf(bgp, a, 7, 5000)).toString('hex'), Buffer.from(inputOf(bgp, a, 8, 5000)).toString('hex'), 'another seed, another input');
});

/** Saved crashers listed as open (known, reported bugs) for a target, as hex. */
function openCrashers(target: string): Set<string> {
  const dir = resolve('test/fixtures/crashers', target);
  if (!existsSync(join(dir, 'open.json'))) return new Set();
  const open = Object.keys(JSON.parse(readFileSync(join(dir, 'open.json'), 'utf8')) as object);
  return new Set(open.map((f) => readFileSync(join(dir, f)).toString('hex')));
}

t.test('every target has seeds and runs each (only open crashers fail)', async (t) => {
  for (const target of TARGETS) {
    const src = sourceOf(target);
    t.ok(src.corpus.length > 0, `${target.name}: ${src.corpus.length} seeds`);
    const open = openCrashers(target.name);
    const failing = src.corpus.filter((b) => check(target, b) !== null && !open.has(Buffer.from(b).toString('hex')));
    t.equal(failing.length, 0, `${target.name}: no seed fails`);
  }
});

t.test('a throw and an oversized output are failures', async (t) => {
  const thrower: FuzzTarget = { name: 'x', description: '', corpus: () => [], dictionary: [], maxLength: 10, run: (b) => { if (b.includes(7)) throw new TypeError('seven'); return b.length; } };
  t.equal(check(thrower, new Uint8Array([1, 2])), null);
  t.match(check(thrower, new Uint8Array([1, 7])), { kind: 'throw', signature: /TypeError: seven/ });
  const big: FuzzTarget = { ...thrower, run: () => 'x'.repeat(2_000_000) };
  t.match(check(big, new Uint8Array(1)), { kind: 'output' });
  t.ok(sizeOf({ a: ['x'.repeat(100)], b: new Uint8Array(50) }, 1e6) >= 150, 'sizes strings and bytes');
});

t.test('shrink drops what the failure does not need', async (t) => {
  const input = new Uint8Array(Buffer.from('aaaaaaaaaaaaXbbbbbbbbbbYcccccc'));
  const fails = (b: Uint8Array): boolean => b.includes(88) && b.includes(89);
  const small = shrink(input, fails, 10_000);
  t.equal(Buffer.from(small).toString(), 'XY');
  t.same(shrink(input, () => false, 100), input, 'nothing dropped when nothing smaller fails');
});

t.test('the time bound is CPU time: a thread kept off the CPU is not over it, one computing is', async (t) => {
  const tid = currentThreadId();
  t.ok(tid > 0 && threadCpuMs(tid) !== null, `this thread's CPU time is readable (tid ${tid})`);
  const budget = new CpuBudget(200, 60_000);
  budget.watch(tid);
  budget.start();
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 400); // 400 ms asleep, as a stalled worker
  t.notOk(budget.over(), '400 ms of wall time without CPU is not over a 200 ms budget');
  budget.start();
  const until = Date.now() + 10_000;
  let spins = 0;
  while (!budget.over() && Date.now() < until) spins++;
  t.ok(Date.now() < until, `computing runs over the budget (after ${spins} checks)`);
  const unknown = new CpuBudget(200, 60_000);
  unknown.watch(-1);
  unknown.start();
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 300);
  t.ok(unknown.over(), 'where CPU time cannot be read, the budget is wall time');
});
