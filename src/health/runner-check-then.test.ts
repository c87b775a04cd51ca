// The runner's promise-free path (Monitor.checkThen): a result given at once or later, a monitor
// that declines (check() then), a result after the timeout, and one given twice.
import t from 'tap';
import { FakeClock } from '../../test/support/fake-clock.js';
import { millis } from '../time/clock.js';
import type { CheckSignal } from './check-signal.js';
import type { CheckResult, Monitor, Target } from './monitor.js';
import { HealthRunner, type Transition } from './runner.js';

const flush = (): Promise<void> => new Promise((r) => setImmediate(r));
const target: Target = { host: 'rs0', ip: '127.0.0.1', port: 80 };

/** `mode` says what checkThen does; `check` counts the promise path. */
class CallbackMonitor implements Monitor {
  readonly kind = 'Callback';
  readonly schedule = { intervalMs: millis(1000), timeoutMs: millis(300), rise: 1, fall: 1 };
  mode: 'now' | 'later' | 'decline' = 'now';
  up = true;
  checks = 0;
  pending: ((r: CheckResult) => void)[] = [];
  signals: CheckSignal[] = [];
  check(): Promise<CheckResult> {
    this.checks++;
    return Promise.resolve({ up: this.up, reason: 'via check', ms: 1 });
  }
  checkThen(_t: Target, signal: CheckSignal, done: (r: CheckResult) => void): boolean {
    if (this.mode === 'decline') return false;
    this.signals.push(signal);
    if (this.mode === 'now') done({ up: this.up, reason: 'at once', ms: 0 });
    else this.pending.push(done);
    return true;
  }
}

function setup() {
  const clock = new FakeClock();
  const m = new CallbackMonitor();
  const transitions: Transition[] = [];
  const results: string[] = [];
  const runner = new HealthRunner({ clock, random: () => 0, onTransition: (x) => transitions.push(x), onResult: (_t, _k, r) => results.push(`${r.up} ${r.reason}`) });
  runner.add(target, m);
  return { clock, m, transitions, results, runner };
}

t.test('a result given before checkThen returns settles the check; no promise path', async (t) => {
  const { clock, m, transitions, results, runner } = setup();
  clock.advance(0);
  t.same(results, ['true at once']);
  t.equal(runner.state(target, m), true);
  m.up = false;
  clock.advance(1000);
  t.same(results, ['true at once', 'false at once']);
  t.same(transitions.map((x) => x.up), [true, false]);
  t.equal(m.checks, 0);
  t.equal(runner.stats().checksStarted, 2);
  runner.stop();
});

t.test('a result given later; a monitor that declines is checked through check()', async (t) => {
  const { clock, m, results, runner } = setup();
  m.mode = 'later';
  clock.advance(0);
  t.same(results, [], 'nothing until the monitor calls back');
  m.pending.shift()!({ up: true, reason: 'later', ms: 5 });
  t.same(results, ['true later']);
  m.mode = 'decline';
  clock.advance(1000);
  await flush();
  t.same(results, ['true later', 'true via check']);
  t.equal(m.checks, 1);
  runner.stop();
});

t.test('the timeout settles first: the signal is aborted and a late or second result is dropped', async (t) => {
  const { clock, m, results, runner } = setup();
  m.mode = 'later';
  clock.advance(0);
  clock.advance(300);
  await flush(); // the timeout's verdict waits one turn (runner.expire)
  t.match(results, [/^false timeout/]);
  t.equal(m.signals[0]!.aborted, true);
  const late = m.pending.shift()!;
  late({ up: true, reason: 'late', ms: 400 });
  late({ up: true, reason: 'twice', ms: 400 });
  t.equal(results.length, 1, 'neither counts');
  t.equal(runner.state(target, m), false);
  m.mode = 'now';
  clock.advance(700);
  t.same(results.slice(1), ['true at once'], 'the next check is its own');
  runner.stop();
});

t.test('a checkThen that throws fails that check only: the other server and the next check go on', async (t) => {
  const clock = new FakeClock();
  const good = new CallbackMonitor();
  const bad = new CallbackMonitor();
  bad.checkThen = () => { throw new Error('probe exploded'); };
  const results: string[] = [];
  const runner = new HealthRunner({ clock, random: () => 0, onTransition: () => {}, onResult: (x, _k, r) => results.push(`${x.host} ${r.up} ${r.reason}`) });
  runner.add(target, good);
  runner.add({ ...target, host: 'rs1', ip: '127.0.0.2' }, bad);
  clock.advance(0);
  t.same([...results].sort(), ['rs0 true at once', 'rs1 false check failed: Error: probe exploded'], 'one failure, named by its server');
  clock.advance(1000);
  t.equal(results.filter((r) => r.startsWith('rs0 true')).length, 2, 'the other server is checked on schedule');
  runner.stop();
});
