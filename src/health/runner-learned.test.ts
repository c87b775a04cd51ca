// The runner with `timeout = auto` (learned-expiry.ts): a hung server alone fails after its learned
// deadline plus the hold; many servers slow at once (a common cause) get up to the ceiling and stay up.
import t from 'tap';
import { FakeClock } from '../../test/support/fake-clock.js';
import { millis } from '../time/clock.js';
import type { CheckResult, Monitor, Schedule, Target } from './monitor.js';
import { HealthRunner, type Transition } from './runner.js';
import { HOLD_MS } from './learned-expiry.js';

const flush = (): Promise<void> => new Promise((r) => setImmediate(r));
const CEILING = 500;
const schedule: Schedule = { intervalMs: millis(1000), timeoutMs: millis(CEILING), rise: 1, fall: 1, auto: { ceilingMs: CEILING, floorMs: 25 } };

/** Answers after `delay(host)` ms of the fake clock (Infinity: never). */
class DelayedMonitor implements Monitor {
  readonly kind = 'Delayed';
  readonly schedule = schedule;
  delay: (host: string) => number = () => 1;
  constructor(private readonly clock: FakeClock) {}
  check(target: Target, signal: AbortSignal): Promise<CheckResult> {
    const d = this.delay(target.host);
    return new Promise((resolve) => {
      if (d === Infinity) { signal.addEventListener('abort', () => resolve({ up: false, reason: 'aborted', ms: 0 })); return; }
      this.clock.setTimer(d, () => resolve({ up: true, reason: 'ok', ms: d }));
    });
  }
}

async function rig(n: number): Promise<{ clock: FakeClock; m: DelayedMonitor; runner: HealthRunner; transitions: Transition[]; run: (ms: number) => Promise<void> }> {
  const clock = new FakeClock();
  const m = new DelayedMonitor(clock);
  const transitions: Transition[] = [];
  let i = 0;
  // Phases spread evenly: n checks a second, 1000 / n ms apart.
  const runner = new HealthRunner({ clock, onTransition: (x) => transitions.push(x), random: () => (i++ % n) / n, defer: (fn) => fn() });
  for (let k = 0; k < n; k++) runner.add({ host: `rs${k}`, ip: `127.0.0.${k + 1}`, port: 80 }, m);
  const run = async (ms: number): Promise<void> => { for (let s = 0; s < ms; s++) { clock.advance(1); await flush(); } };
  await run(30_000); // 30 rounds of 1 ms answers: the learned deadline is the 25 ms floor
  return { clock, m, runner, transitions, run };
}

t.test('one hung server is down after its learned deadline plus the hold, not the ceiling', async (t) => {
  const { m, runner, transitions, run } = await rig(10);
  t.equal(transitions.length, 10, 'every server up once');
  m.delay = (h) => (h === 'rs3' ? Infinity : 1);
  await run(1_100);
  const down = transitions.slice(10);
  t.same(down.map((x) => [x.target.host, x.up]), [['rs3', false]], 'only rs3 goes down');
  t.match(down[0]!.reason, /^timeout after \d+ ms \(learned deadline 25 ms\)$/);
  t.equal(down[0]!.ms, 25 + HOLD_MS, `failed ${25 + HOLD_MS} ms into the check (deadline + hold), not at ${CEILING}`);
  t.equal(runner.stats().learnedToCeiling, 0);
  runner.stop();
});

t.test('every server slow at once (150 ms, 6× the learned deadline): the ceiling applies, no false down', async (t) => {
  const { m, runner, transitions, run } = await rig(100);
  // Checks start 10 ms apart; for one round every answer takes 150 ms (a path or a site busy).
  m.delay = () => 150;
  await run(1_000);
  m.delay = () => 1;
  await run(3_000);
  t.equal(transitions.length, 100, 'no transition after the first ups');
  const s = runner.stats();
  t.equal(s.learnedHeld, 100, 'each of the 100 slow checks was held once');
  t.equal(s.learnedToCeiling, 100, 'and then given up to the ceiling, as a burst');
  t.equal(s.learnedRescued, 100, 'every answer came in and counted');
  runner.stop();
});

t.test("vipd's own stall (its timers fire late): the ceiling applies to a server alone too", async (t) => {
  const { clock, m, runner, transitions, run } = await rig(10);
  m.delay = (h) => (h === 'rs5' ? 200 : 1);
  await run(520); // rs5's check starts at 500 of this round; it answers at 700
  clock.block(90); // the loop stalls 90 ms: its learned deadline (525) fires 85 ms late
  await flush();
  await run(2_000);
  t.equal(transitions.length, 10, 'rs5 is not marked down');
  t.equal(runner.stats().learnedToCeiling, 1, 'its check waited to the ceiling');
  runner.stop();
});
