import t from 'tap';
import { TurnQueue } from './turn-queue.js';

t.test('one message per turn, in order, whatever arrived at once', async (t) => {
  const turns: (() => void)[] = [];
  const seen: number[] = [];
  const q = new TurnQueue<number>((n) => seen.push(n), (run) => turns.push(run));
  for (let i = 1; i <= 3; i++) q.push(i);
  t.same(seen, [], 'nothing handled on arrival');
  t.equal(turns.length, 1, 'one turn asked for, not three');
  turns.shift()!();
  t.same(seen, [1], 'the first turn handles one message');
  t.equal(q.waiting, 2);
  turns.shift()!();
  q.push(4); // arrives while one is waiting: no second turn asked for
  t.equal(turns.length, 1);
  while (turns.length) turns.shift()!();
  t.same(seen, [1, 2, 3, 4]);
  t.equal(q.waiting, 0);
  q.push(5);
  t.equal(turns.length, 1, 'an idle queue asks for a turn again');
});

t.test('a handler that throws does not stall the messages behind it', async (t) => {
  const turns: (() => void)[] = [];
  const seen: string[] = [];
  const q = new TurnQueue<string>((s) => { if (s === 'bad') throw new Error('bad message'); seen.push(s); }, (run) => turns.push(run));
  q.push('bad');
  q.push('good');
  t.throws(() => turns.shift()!(), /bad message/);
  t.equal(turns.length, 1, 'the next turn was asked for before the handler ran');
  turns.shift()!();
  t.same(seen, ['good']);
});

t.test('with the real loop: a timer fires between two messages that arrived together', async (t) => {
  const order: string[] = [];
  const q = new TurnQueue<string>((s) => {
    order.push(s);
    const end = performance.now() + 20;
    while (performance.now() < end) { /* a message that takes 20 ms */ }
  });
  await new Promise<void>((done) => {
    setTimeout(() => order.push('timer'), 1);
    q.push('a');
    q.push('b');
    q.push('c');
    setTimeout(done, 100);
  });
  t.same(order.filter((x) => x !== 'timer'), ['a', 'b', 'c']);
  t.ok(order.indexOf('timer') < order.indexOf('c'), `the timer ran before the last message: ${order.join(', ')}`);
});
