import t from 'tap';
import { FakeClock } from './fake-clock.js';

t.test('timers fire in order during advance and can be cancelled', async (t) => {
  const c = new FakeClock();
  const fired: string[] = [];
  c.setTimer(20, () => fired.push('b'));
  c.setTimer(10, () => { fired.push('a'); c.setTimer(5, () => fired.push('a2')); });
  const cancel = c.setTimer(12, () => fired.push('never'));
  cancel();
  c.advance(14);
  t.same(fired, ['a']);
  t.equal(c.now(), 14);
  c.advance(10);
  t.same(fired, ['a', 'a2', 'b']);
  t.equal(c.pendingCount, 0);
});
