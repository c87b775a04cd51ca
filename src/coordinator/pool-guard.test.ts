import t from 'tap';
import { FakeClock } from '../../test/support/fake-clock.js';
import { guardUpdate, holdMessage, removedBy, tooMany, type GuardPolicy, type RemovalHold } from './pool-guard.js';
import type { PoolServer } from './types.js';

const srv = (host: string, enabled = true, weight = 10): PoolServer => ({ host, weight, enabled });
const four = ['a', 'b', 'c', 'd'].map((h) => srv(h));
const policy: GuardPolicy = { maxRemoval: 0.5, holdMs: 60_000 };

t.test('removal counts enabled servers leaving or turning disabled, not disabled ones leaving', async (t) => {
  t.same(removedBy(four, [srv('a')]), ['b', 'c', 'd']);
  t.same(removedBy(four, [srv('a'), srv('b', false), srv('c'), srv('d')]), ['b'], 'enabled → disabled is a removal');
  t.same(removedBy([srv('a'), srv('x', false)], [srv('a')]), [], 'a disabled server leaving removes nothing');
  t.same(removedBy([], [srv('a')]), []);
});

t.test('the share rule: more than maxRemoval, or all of them', async (t) => {
  t.equal(tooMany(2, 4, 0.5), false, 'exactly half is allowed');
  t.equal(tooMany(3, 4, 0.5), true);
  t.equal(tooMany(1, 2, 0.5), false);
  t.equal(tooMany(1, 1, 0.5), true, 'emptying a one-server pool');
  t.equal(tooMany(4, 4, 1), true, 'emptying is held even at 100%');
  t.equal(tooMany(3, 4, 1), false);
  t.equal(tooMany(1, 4, 0), true, '0% holds any removal');
  t.equal(tooMany(0, 4, 0), false);
  t.equal(tooMany(0, 0, 0.5), false, 'nothing enabled: nothing to protect');
});

t.test('a big removal is held; additions and changes in the same update apply at once', async (t) => {
  const clock = new FakeClock();
  const incoming = [srv('a', true, 20), srv('e')];
  const d = guardUpdate({ current: four, incoming, hold: null, now: clock.now(), policy });
  if (d.kind !== 'hold') return t.fail('expected a hold');
  t.equal(d.fresh, true);
  t.same(d.list, [srv('a', true, 20), srv('e'), srv('b'), srv('c'), srv('d')], 'a reweighted, e added, b c d kept');
  t.same(d.hold.removing, ['b', 'c', 'd']);
  t.same(d.hold.list, incoming, 'the full update is kept for the release');
  const msg = holdMessage('web', d.hold, policy, clock.now());
  t.match(msg, 'remove 3 of 4 enabled servers of web (b, c, d)');
  t.match(msg, 'more than pool-max-removal 50%');
  t.match(msg, '60 s left');
  t.match(msg, 'POST /pools/web/confirm-removal');
});

t.test('a mass disable is held with the servers kept enabled', async (t) => {
  const incoming = four.map((s) => srv(s.host, false));
  const d = guardUpdate({ current: four, incoming, hold: null, now: 0, policy });
  if (d.kind !== 'hold') return t.fail('expected a hold');
  t.same(d.list, four);
  t.match(holdMessage('web', d.hold, policy, 0), 'it would empty the pool');
});

t.test('a hold persists while updates keep removing, and releases after holdMs', async (t) => {
  const clock = new FakeClock();
  let d = guardUpdate({ current: four, incoming: [srv('a')], hold: null, now: clock.now(), policy });
  if (d.kind !== 'hold') return t.fail('expected a hold');
  let hold: RemovalHold = d.hold;
  clock.advance(30_000);
  // Still removing (a different set): the hold goes on from its start.
  d = guardUpdate({ current: d.list, incoming: [srv('b')], hold, now: clock.now(), policy });
  if (d.kind !== 'hold') return t.fail('expected the hold to go on');
  t.equal(d.fresh, false);
  t.equal(d.hold.since, 0, 'the hold keeps its start');
  hold = d.hold;
  clock.advance(29_999);
  t.equal(guardUpdate({ current: four, incoming: hold.list, hold, now: clock.now(), policy }).kind, 'hold', 'not yet');
  clock.advance(1);
  t.same(guardUpdate({ current: four, incoming: hold.list, hold, now: clock.now(), policy }),
    { kind: 'apply', list: [srv('b')], released: 'elapsed' }, 'after holdMs the latest list applies');
});

t.test('a hold ends when the update stops removing, or on confirmation', async (t) => {
  const d = guardUpdate({ current: four, incoming: [], hold: null, now: 0, policy });
  if (d.kind !== 'hold') return t.fail('expected a hold');
  t.same(guardUpdate({ current: four, incoming: four, hold: d.hold, now: 1000, policy }),
    { kind: 'apply', list: four, released: 'gone' }, 'the file came back');
  t.same(guardUpdate({ current: four, incoming: [], hold: d.hold, now: 1000, policy, confirmed: true }),
    { kind: 'apply', list: [], released: 'confirmed' });
});

t.test('small removals, first lists and a zero hold apply at once', async (t) => {
  t.same(guardUpdate({ current: four, incoming: [srv('a'), srv('b')], hold: null, now: 0, policy }), { kind: 'apply', list: [srv('a'), srv('b')] });
  t.same(guardUpdate({ current: [], incoming: four, hold: null, now: 0, policy }), { kind: 'apply', list: four });
  t.same(guardUpdate({ current: four, incoming: [], hold: null, now: 0, policy: { maxRemoval: 0.5, holdMs: 0 } }), { kind: 'apply', list: [] });
});
