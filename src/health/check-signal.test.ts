import t from 'tap';
import { CheckAbort, type CheckSignal } from './check-signal.js';

t.test('listeners run once, in order; removed ones and late ones never run', async (t) => {
  const a = new CheckAbort();
  const seen: string[] = [];
  const removed = (): void => { seen.push('removed'); };
  a.addEventListener('abort', () => seen.push('first'));
  a.addEventListener('abort', removed);
  a.addEventListener('abort', () => seen.push('second'));
  a.addEventListener('other', () => seen.push('other type'));
  a.removeEventListener('abort', removed);
  t.equal(a.aborted, false);
  a.abort();
  a.abort();
  t.equal(a.aborted, true);
  a.addEventListener('abort', () => seen.push('late'));
  a.abort();
  t.same(seen, ['first', 'second']);
});

t.test('a real AbortSignal is a CheckSignal too', async (t) => {
  const ac = new AbortController();
  const s: CheckSignal = ac.signal;
  let ran = 0;
  s.addEventListener('abort', () => { ran++; }, { once: true });
  ac.abort();
  t.equal(ran, 1);
  t.equal(s.aborted, true);
});

t.test('the first listener removed, then others added: all that remain run once, in the order added', async (t) => {
  const a = new CheckAbort();
  const seen: string[] = [];
  const one = (): void => { seen.push('one'); };
  a.addEventListener('abort', one);
  a.removeEventListener('abort', one);
  a.addEventListener('abort', () => seen.push('two'));
  a.addEventListener('abort', () => seen.push('three'));
  a.removeEventListener('abort', one); // not there any more: nothing happens
  a.abort();
  t.same(seen, ['two', 'three']);
  const b = new CheckAbort();
  b.addEventListener('abort', one);
  b.addEventListener('abort', () => seen.push('after one'));
  b.abort();
  t.same(seen.slice(2), ['one', 'after one']);
});
