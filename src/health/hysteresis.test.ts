import t from 'tap';
import { applyResult, initialHysteresis, type Hysteresis } from './hysteresis.js';

function feed(results: boolean[], limits: { rise: number; fall: number }): { states: boolean[]; changes: number[] } {
  let h: Hysteresis = initialHysteresis;
  const states: boolean[] = [];
  const changes: number[] = [];
  results.forEach((r, i) => {
    const { next, changed } = applyResult(h, r, limits);
    h = next;
    if (changed) changes.push(i);
    states.push(h.up === true);
  });
  return { states, changes };
}

t.test('default 1/1: every flip is a transition; the first result always is', async (t) => {
  const r = feed([true, true, false, true, true], { rise: 1, fall: 1 });
  t.same(r.states, [true, true, false, true, true]);
  t.same(r.changes, [0, 2, 3]);
});

t.test('fall 3: down only after three consecutive failures; a success resets the count', async (t) => {
  const r = feed([true, false, false, true, false, false, false, false], { rise: 1, fall: 3 });
  t.same(r.states, [true, true, true, true, true, true, false, false]);
  t.same(r.changes, [0, 6]);
});

t.test('rise 2: up again only after two consecutive successes', async (t) => {
  const r = feed([false, true, false, true, true, true], { rise: 2, fall: 1 });
  t.same(r.states, [false, false, false, false, true, true]);
  t.same(r.changes, [0, 4]);
});

t.test('first result decides at once even with large rise/fall', async (t) => {
  t.same(feed([false], { rise: 5, fall: 5 }).changes, [0]);
  t.same(feed([true], { rise: 5, fall: 5 }).states, [true]);
});
