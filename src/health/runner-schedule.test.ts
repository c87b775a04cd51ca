import t from 'tap';
import { FakeClock } from '../../test/support/fake-clock.js';
import { millis } from '../time/clock.js';
import type { CheckResult, Monitor, Target } from './monitor.js';
import { HealthRunner } from './runner.js';
import { LAG_BUCKETS_S, ScheduleCounters } from './schedule-stats.js';

const flush = (): Promise<void> => new Promise((r) => setImmediate(r));
const target = (i: number): Target => ({ host: `rs${i}`, ip: `127.0.0.${i + 1}`, port: 80 });

/** Settles each check when the test says; `auto` answers at once. */
class Held implements Monitor {
  readonly kind = 'Held';
  readonly schedule = { intervalMs: millis(1000), timeoutMs: millis(5000), rise: 1, fall: 1 };
  pending: ((r: CheckResult) => void)[] = [];
  auto = false;
  check(): Promise<CheckResult> {
    return new Promise((resolve) => { if (this.auto) resolve({ up: true, reason: 'ok', ms: 1 }); else this.pending.push(resolve); });
  }
  settleAll(): void { for (const s of this.pending.splice(0)) s({ up: true, reason: 'ok', ms: 1 }); }
}

t.test('missed checks say why: the previous check still ran (overlap) vs the timer fired past the next due time', async (t) => {
  const clock = new FakeClock();
  const m = new Held();
  const runner = new HealthRunner({ clock, onTransition: () => {}, random: () => 0 });
  runner.add(target(0), m);
  clock.advance(0);
  clock.advance(2000); // ticks at 1000 and 2000 find the check at 0 still running
  await flush();
  t.match(runner.scheduleStats(), { checksStarted: 1, missedOverlap: 2, missedTimerLate: 0, late: 0 });
  m.settleAll();
  await flush();
  // The loop is blocked 3.5 s from 2000: the timer due at 3000 fires at 5500; 4000 and 5000 were skipped.
  clock.block(3500);
  await flush();
  const s = runner.scheduleStats();
  t.match(s, { checksStarted: 2, missedOverlap: 2, missedTimerLate: 2, late: 1, maxLagMs: 2500 });
  runner.stop();
});

t.test('lag histogram: cumulative buckets, count and sum of every started check', async (t) => {
  const c = new ScheduleCounters(100);
  for (const lag of [0, 0.5, 3, 30, 150, 20_000]) c.started(lag, 0);
  const s = c.stats(1);
  const at = (sec: number): number => s.lagBuckets[LAG_BUCKETS_S.indexOf(sec)]!;
  t.equal(at(0.001), 2);
  t.equal(at(0.005), 3);
  t.equal(at(0.05), 4);
  t.equal(at(0.25), 5);
  t.equal(at(10), 5, 'the 20 s lag is only in +Inf');
  t.equal(s.lagCount, 6);
  t.equal(s.late, 2);
  t.ok(Math.abs(s.lagSumSeconds - 20.1835) < 1e-9);
});

t.test('first round: from the first check to every server\'s first result; a removed server stops owing', async (t) => {
  const clock = new FakeClock();
  const m = new Held();
  let phase = 0;
  const runner = new HealthRunner({ clock, onTransition: () => {}, random: () => [0.1, 0.5, 0.9][phase++ % 3]! });
  for (let i = 0; i < 3; i++) runner.add(target(i), m);
  clock.advance(100); // first check at 100
  clock.advance(400); // second at 500
  await flush();
  m.settleAll();
  await flush();
  t.equal(runner.scheduleStats().firstRoundMs, null, 'rs2 has no result yet');
  clock.advance(300);
  runner.remove(target(2), m); // its check started at 900 and never reported
  t.equal(runner.scheduleStats().firstRoundMs, 700, '100 → 800');
  runner.add(target(5), m);
  clock.advance(5000);
  t.equal(runner.scheduleStats().firstRoundMs, 700, 'a later server does not reopen the first round');
  runner.stop();
});
