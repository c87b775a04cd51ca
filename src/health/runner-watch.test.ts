import t from 'tap';
import { FakeClock } from '../../test/support/fake-clock.js';
import { millis } from '../time/clock.js';
import type { CheckResult, Monitor, Target } from './monitor.js';
import { HealthRunner, type Transition } from './runner.js';

const flush = (): Promise<void> => new Promise((r) => setImmediate(r));

/** A stateful monitor: the test flips its state and it pushes the change, like IdleConnection. */
class PushingMonitor implements Monitor {
  readonly kind = 'Pushing';
  up = true;
  checks = 0;
  /** When set, checks stay pending until the test settles them. */
  hold = false;
  pending: ((r: CheckResult) => void)[] = [];
  private readonly watchers = new Map<string, (r: CheckResult) => void>();
  unwatched: string[] = [];
  constructor(readonly schedule = { intervalMs: millis(30_000), timeoutMs: millis(5000), rise: 1, fall: 1 }) {}
  check(): Promise<CheckResult> {
    this.checks++;
    const r = { up: this.up, reason: this.up ? 'connected' : 'connection lost', ms: 1 };
    return this.hold ? new Promise((res) => this.pending.push(res)) : Promise.resolve(r);
  }
  watch(target: Target, onChange: (r: CheckResult) => void): () => void {
    this.watchers.set(target.host, onChange);
    return () => { this.watchers.delete(target.host); this.unwatched.push(target.host); };
  }
  set(host: string, up: boolean): void {
    this.up = up;
    this.watchers.get(host)?.({ up, reason: up ? 'connected' : 'connection lost uncleanly: ECONNRESET', ms: 0 });
  }
}

const target: Target = { host: 'rs0', ip: '127.0.0.1', port: 80 };

async function started(m: PushingMonitor, seen: Transition[], fall = 1, rise = 1): Promise<{ clock: FakeClock; runner: HealthRunner }> {
  const clock = new FakeClock();
  Object.assign(m.schedule, { fall, rise });
  const runner = new HealthRunner({ clock, onTransition: (x) => seen.push(x), random: () => 0 });
  runner.add(target, m);
  clock.advance(0);
  await flush();
  return { clock, runner };
}

t.test('fall 1: a pushed loss is a transition at once, without waiting for the 30 s interval', async (t) => {
  const m = new PushingMonitor();
  const seen: Transition[] = [];
  const { runner } = await started(m, seen);
  t.same(seen.map((x) => x.up), [true], 'first result from the first check');
  m.set('rs0', false);
  t.equal(seen.length, 2, 'reported synchronously, the clock has not moved');
  t.match(seen[1], { up: false, previous: true, monitor: 'Pushing', reason: /ECONNRESET/ });
  t.equal(runner.state(target, m), false);
  t.equal(m.checks, 1, 'a push starts no check');
  t.equal(runner.stats().pushedResults, 1);
  m.set('rs0', true);
  t.same(seen.map((x) => x.up), [true, false, true], 'the return is pushed too');
  runner.stop();
});

t.test('rise and fall still apply to pushed results', async (t) => {
  const m = new PushingMonitor();
  const seen: Transition[] = [];
  const { clock, runner } = await started(m, seen, 2, 2);
  m.set('rs0', false);
  t.equal(seen.length, 1, 'one bad result of fall 2 is not a transition');
  t.equal(runner.state(target, m), true);
  clock.advance(30_000);
  await flush();
  t.equal(seen.length, 2, 'the next check is the second bad result');
  t.equal(seen[1]!.up, false);
  m.set('rs0', true);
  t.equal(seen.length, 2, 'one good result of rise 2 is not a transition');
  runner.stop();
});

t.test('a push while a check runs supersedes that check: one event counts once', async (t) => {
  const m = new PushingMonitor();
  const seen: Transition[] = [];
  const { clock, runner } = await started(m, seen, 2);
  m.hold = true;
  clock.advance(30_000);
  await flush();
  t.equal(m.pending.length, 1, 'a check is running');
  m.set('rs0', false);
  m.pending[0]!({ up: false, reason: 'connection lost', ms: 1 });
  await flush();
  t.equal(seen.length, 1, 'the running check\'s result is dropped, so fall 2 is not reached');
  t.equal(runner.state(target, m), true);
  m.hold = false;
  clock.advance(30_000);
  await flush();
  t.same(seen.map((x) => x.up), [true, false], 'the next tick\'s check completes the fall');
  t.equal(runner.stats().skippedOverlaps, 0);
  runner.stop();
});

t.test('remove unsubscribes: a later push reports nothing', async (t) => {
  const m = new PushingMonitor();
  const seen: Transition[] = [];
  const { runner } = await started(m, seen);
  runner.remove(target, m);
  t.same(m.unwatched, ['rs0']);
  m.set('rs0', false);
  t.equal(seen.length, 1);
  t.equal(runner.stats().pushedResults, 0);
});
