import t from 'tap';
import { HEAP_FLAGS, HEAP_MARK, heapPlan } from './heap-flags.js';

t.test('a plain `node main.js run` starts again under the heap flags', async (t) => {
  t.same(heapPlan([], {}), { restart: true, add: HEAP_FLAGS });
  t.same(heapPlan(['--cpu-prof'], { NODE_OPTIONS: '--import x' }), { restart: true, add: HEAP_FLAGS });
  t.ok(HEAP_FLAGS.some((f) => f.startsWith('--max-semi-space-size=')) && HEAP_FLAGS.some((f) => f.startsWith('--max-old-space-size=')));
});

t.test('nothing to do once the flags are in node arguments', async (t) => {
  t.same(heapPlan(['--cpu-prof', ...HEAP_FLAGS], { [HEAP_MARK]: 'restarted' }), { restart: false, why: 'applied' });
});

t.test('never a second restart, whatever the arguments say', async (t) => {
  const p = heapPlan(['--cpu-prof'], { [HEAP_MARK]: 'restarted' });
  t.equal(p.restart, false);
  t.match(p, { why: /already restarted once/ });
});

t.test("the operator's own heap flags and the off switch are kept", async (t) => {
  t.match(heapPlan(['--max-old-space-size=512'], {}), { restart: false, why: /--max-old-space-size=512.*kept/ });
  t.match(heapPlan([], { NODE_OPTIONS: '--max-semi-space-size=8 --trace-gc' }), { restart: false, why: /--max-semi-space-size=8/ });
  t.match(heapPlan([], { NODE_OPTIONS: '"--max-old-space-size=300" "--import=x.mjs"' }), { restart: false, why: /\(--max-old-space-size=300\)/ });
  t.match(heapPlan([], { [HEAP_MARK]: 'off' }), { restart: false, why: /off/ });
  // a flag that merely starts alike is not a heap flag
  t.equal(heapPlan(['--max-old-space-size-percentage=50'], {}).restart, true);
});
