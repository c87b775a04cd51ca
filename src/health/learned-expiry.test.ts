import t from 'tap';
import { BURST_MIN, BURST_WINDOW_MS, judgeLearnedExpiry, LearnedExpiries, STALL_MS } from './learned-expiry.js';

t.test('the rule: hold first, then the ceiling for a common cause, else fail', async (t) => {
  t.equal(judgeLearnedExpiry(false, 0, false), 'hold', 'a first expiry is held');
  t.equal(judgeLearnedExpiry(false, 500, true), 'hold', 'even in a burst: the hold comes first');
  t.equal(judgeLearnedExpiry(true, 0, false), 'fail', 'alone, on time: a hung server');
  t.equal(judgeLearnedExpiry(true, 0, true), 'ceiling', 'in a burst: common cause');
  t.equal(judgeLearnedExpiry(true, STALL_MS + 1, false), 'ceiling', "vipd's own timers late: its own stall");
  t.equal(judgeLearnedExpiry(true, STALL_MS, false), 'fail', 'late within the margin still fails');
});

t.test('a burst is BURST_MIN expiries within the window', async (t) => {
  const x = new LearnedExpiries();
  t.notOk(x.burst(0), 'nothing noted');
  for (let i = 0; i < BURST_MIN - 1; i++) x.note(i * 10);
  t.notOk(x.burst(60), `${BURST_MIN - 1} expiries are not a burst`);
  x.note(50);
  t.ok(x.burst(60), `${BURST_MIN} within ${BURST_WINDOW_MS} ms are`);
  t.notOk(x.burst(BURST_WINDOW_MS + 1), 'the oldest left the window');
  // Steady independent expiries, one every 150 ms: never a burst.
  const y = new LearnedExpiries();
  let bursts = 0;
  for (let i = 0; i < 100; i++) { y.note(i * 150); if (y.burst(i * 150 + 50)) bursts++; }
  t.equal(bursts, 0, 'one expiry every 150 ms is never a burst');
});
