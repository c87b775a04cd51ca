import t from 'tap';
import fc from 'fast-check';
import {
  canDepool, checkInvariants, ensureThreshold, markReady, markUnresolved, mergePool, newPool, serverDown, serverUp, settle,
  type Pool,
} from './depool-policy.js';
import type { PoolServer } from './types.js';

const servers = (n: number, extra: Partial<PoolServer> = {}): PoolServer[] =>
  Array.from({ length: n }, (_, i) => ({ host: `cp${1045 + i}`, weight: 10, enabled: true, ...extra }));

function readyPool(list: PoolServer[], threshold = 0.5): Pool {
  const pool: Pool = newPool(threshold);
  mergePool(pool, list);
  for (const s of list) markReady(pool, s.host, `10.0.0.${list.indexOf(s) + 1}`);
  return pool;
}

const pooled = (p: Pool): string[] => [...p.servers.values()].filter((s) => s.pooled).map((s) => s.host);

t.test('PyBal test2serversCanDepool: first failure depooled, second kept pooled', async (t) => {
  const pool = readyPool(servers(2));
  t.ok(canDepool(pool));
  t.same(serverDown(pool, 'cp1045'), [{ kind: 'depooled', host: 'cp1045' }]);
  t.same(serverDown(pool, 'cp1046'), [{ kind: 'could-not-depool', host: 'cp1046' }]);
  t.same(pooled(pool), ['cp1046']);
  t.same([...pool.pooledDown], ['cp1046']);
  t.notOk(canDepool(pool));
  t.same(checkInvariants(pool), []);
});

t.test('PyBal test4serversCanDepool: one disabled, 2nd failure depooled (2 ≥ 2), 3rd kept', async (t) => {
  const list = servers(4);
  list[0]!.enabled = false;
  const pool = readyPool(list);
  t.same(pooled(pool), ['cp1046', 'cp1047', 'cp1048']);
  t.same(serverDown(pool, 'cp1046'), [{ kind: 'depooled', host: 'cp1046' }]);
  t.same(serverDown(pool, 'cp1047'), [{ kind: 'could-not-depool', host: 'cp1047' }]);
  t.same(pooled(pool), ['cp1047', 'cp1048']);
  t.same(checkInvariants(pool), []);
});

t.test('PyBal repool order: be1 back up → pooled, then pooled-down be2 depooled', async (t) => {
  const pool = readyPool(servers(2));
  serverDown(pool, 'cp1045');
  serverDown(pool, 'cp1046');
  t.same(serverUp(pool, 'cp1045'), [
    { kind: 'pooled', host: 'cp1045' },
    { kind: 'depooled', host: 'cp1046' },
  ]);
  t.same(pooled(pool), ['cp1045']);
  t.equal(pool.pooledDown.size, 0);
  t.same(checkInvariants(pool), []);
});

t.test('PyBal testRepoolPreviouslyPooledButDown: left pooled, then the other depooled', async (t) => {
  const pool = readyPool(servers(4), 0.5);
  for (const h of ['cp1045', 'cp1046', 'cp1047', 'cp1048']) serverDown(pool, h);
  t.same([...pool.pooledDown], ['cp1047', 'cp1048'], '3 ≥ 2 and 2 ≥ 2 depooled, then 1 < 2 and 0 < 2 kept');
  t.same(serverUp(pool, 'cp1047'), [{ kind: 'left-pooled', host: 'cp1047' }]);
  t.same(pooled(pool), ['cp1047', 'cp1048'], '1 up < 2: cp1048 must stay');
  t.same(serverUp(pool, 'cp1045'), [{ kind: 'pooled', host: 'cp1045' }, { kind: 'depooled', host: 'cp1048' }]);
  t.same(pooled(pool), ['cp1045', 'cp1047']);
  t.same(checkInvariants(pool), []);
});

t.test('disabling bypasses the threshold; re-enabling an up server pools it at once', async (t) => {
  const pool = readyPool(servers(2));
  serverDown(pool, 'cp1045');
  mergePool(pool, [{ host: 'cp1045', weight: 10, enabled: true }, { host: 'cp1046', weight: 10, enabled: false }]);
  t.same(pooled(pool), ['cp1045'], 'cp1046 disabled → out; cp1045 (down) force-pooled to meet .5 × 2');
  t.same([...pool.pooledDown], ['cp1045']);
  mergePool(pool, servers(2));
  t.same(pooled(pool), ['cp1046'], 'cp1046 enabled and up: pooled; cp1045 pooled-down can now go');
  t.same(checkInvariants(pool), []);
});

t.test('force-pooling reports when the threshold cannot be met', async (t) => {
  const pool: Pool = newPool(0.5);
  mergePool(pool, servers(4));
  markReady(pool, 'cp1045', '10.0.0.1');
  markUnresolved(pool, 'cp1046');
  markUnresolved(pool, 'cp1047');
  markUnresolved(pool, 'cp1048');
  serverDown(pool, 'cp1045');
  const ev = ensureThreshold(pool);
  t.same(ev, [{ kind: 'threshold-unmet', pooled: 1, needed: 2 }]);
  t.same(checkInvariants(pool), []);
});

t.test('threshold 0 always depools; threshold 1 never unless all others up', async (t) => {
  const zero = readyPool(servers(2), 0);
  serverDown(zero, 'cp1045');
  serverDown(zero, 'cp1046');
  t.same(pooled(zero), []);
  const one = readyPool(servers(2), 1);
  t.same(serverDown(one, 'cp1045'), [{ kind: 'could-not-depool', host: 'cp1045' }]);
});

t.test('removed servers leave the pool and the pooled-down set', async (t) => {
  const pool = readyPool(servers(2));
  serverDown(pool, 'cp1045');
  serverDown(pool, 'cp1046');
  const r = mergePool(pool, [{ host: 'cp1045', weight: 10, enabled: true }]);
  t.same(r.removed.map((s) => s.host), ['cp1046']);
  t.same([...pool.pooledDown], ['cp1045'], 'the lone server stays pooled though down (0 ≥ .5 false)');
  t.same(checkInvariants(pool), []);
});

// Property tests: any sequence of health results and pool edits keeps P0–P2.
type Op =
  | { op: 'down' | 'up'; i: number }
  | { op: 'merge'; list: { i: number; enabled: boolean; weight: number }[] }
  | { op: 'ready' | 'fail'; i: number };

const hostArb = fc.integer({ min: 0, max: 7 });
const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ op: fc.constantFrom('down' as const, 'up' as const), i: hostArb }),
  fc.record({ op: fc.constantFrom('ready' as const, 'fail' as const), i: hostArb }),
  fc.record({
    op: fc.constant('merge' as const),
    list: fc.array(fc.record({ i: hostArb, enabled: fc.boolean(), weight: fc.integer({ min: 0, max: 20 }) }), { maxLength: 8 }),
  }),
);

t.test('P0–P2 hold after every operation (fast-check)', async (t) => {
  fc.assert(
    fc.property(
      fc.constantFrom(0, 0.25, 0.5, 0.6, 0.75, 1),
      fc.array(opArb, { maxLength: 60 }),
      (threshold, ops) => {
        const pool: Pool = newPool(threshold);
        for (const o of ops) {
          const host = 'i' in o ? `s${o.i}` : '';
          if (o.op === 'down') serverDown(pool, host);
          else if (o.op === 'up') serverUp(pool, host);
          else if (o.op === 'ready') markReady(pool, host, '10.0.0.1');
          else if (o.op === 'fail') markUnresolved(pool, host);
          else if (o.op === 'merge') mergePool(pool, o.list.map((e) => ({ host: `s${e.i}`, enabled: e.enabled, weight: e.weight })));
          if (o.op === 'ready' || o.op === 'fail') {
            settle(pool); // the coordinator settles after each resolution batch
          }
          const bad = checkInvariants(pool);
          if (bad.length) throw new Error(`after ${JSON.stringify(o)}: ${bad.join(', ')}`);
        }
      },
    ),
    { numRuns: 2000 },
  );
  t.pass('2000 random sequences kept the invariants');
});

t.test('a down result never leaves a server up, and an up result on an enabled ready server pools it', async (t) => {
  fc.assert(
    fc.property(fc.array(fc.record({ up: fc.boolean(), i: fc.integer({ min: 0, max: 4 }) }), { maxLength: 40 }), (results) => {
      const pool = readyPool(servers(5), 0.5);
      for (const r of results) {
        const host = `cp${1045 + r.i}`;
        if (r.up) serverUp(pool, host); else serverDown(pool, host);
        const s = pool.servers.get(host)!;
        if (s.up !== r.up) throw new Error(`${host} up=${s.up} after result ${r.up}`);
        if (r.up && !s.pooled) throw new Error(`${host} up but not pooled`);
      }
    }),
    { numRuns: 500 },
  );
  t.pass('500 random result sequences');
});
