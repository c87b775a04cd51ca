import t from 'tap';
import { FakeClock } from '../../test/support/fake-clock.js';
import { millis } from '../time/clock.js';
import type { CheckResult, Monitor, Target } from './monitor.js';
import { HealthRunner, type Transition } from './runner.js';

const flush = (): Promise<void> => new Promise((r) => setImmediate(r));

/** A scripted monitor: records when each check starts; results are settled by the test. */
class ScriptedMonitor implements Monitor {
  readonly kind = 'Scripted';
  starts: { host: string; at: number; signal: AbortSignal; settle: (r: CheckResult) => void }[] = [];
  forgotten: string[] = [];
  auto: ((host: string) => boolean) | null = null;
  constructor(private readonly clock: FakeClock, readonly schedule = { intervalMs: millis(1000), timeoutMs: millis(300), rise: 1, fall: 1 }) {}
  check(target: Target, signal: AbortSignal): Promise<CheckResult> {
    return new Promise((resolve) => {
      this.starts.push({ host: target.host, at: this.clock.now(), signal, settle: resolve });
      if (this.auto) resolve({ up: this.auto(target.host), reason: 'scripted', ms: 1 });
    });
  }
  forget(target: Target): void { this.forgotten.push(target.host); }
}

const target = (i: number): Target => ({ host: `rs${i}`, ip: `127.0.0.${i + 1}`, port: 80 });

t.test('jitter: first checks spread over the interval by the random phase, then fixed rate', async (t) => {
  const clock = new FakeClock();
  const m = new ScriptedMonitor(clock);
  m.auto = () => true;
  const phases = [0, 0.25, 0.5, 0.75];
  let i = 0;
  const runner = new HealthRunner({ clock, onTransition: () => {}, random: () => phases[i++ % phases.length]! });
  for (let k = 0; k < 4; k++) runner.add(target(k), m);
  for (let step = 0; step < 30; step++) { clock.advance(100); await flush(); }
  const byHost = (h: string): number[] => m.starts.filter((s) => s.host === h).map((s) => s.at);
  t.same(byHost('rs0'), [0, 1000, 2000, 3000]);
  t.same(byHost('rs1'), [250, 1250, 2250]);
  t.same(byHost('rs2'), [500, 1500, 2500]);
  t.same(byHost('rs3'), [750, 1750, 2750]);
  t.equal(runner.stats().lateChecks, 0);
  runner.stop();
});

t.test('a random source of 1 still lands inside the interval', async (t) => {
  const clock = new FakeClock();
  const m = new ScriptedMonitor(clock);
  m.auto = () => true;
  const runner = new HealthRunner({ clock, onTransition: () => {}, random: () => 1 });
  runner.add(target(0), m);
  clock.advance(1000);
  t.equal(m.starts.length, 1);
  t.ok(m.starts[0]!.at < 1000);
  runner.stop();
});

t.test('no overlapping checks for one server; the skipped tick is counted', async (t) => {
  const clock = new FakeClock();
  const m = new ScriptedMonitor(clock, { intervalMs: millis(1000), timeoutMs: millis(5000), rise: 1, fall: 1 });
  const runner = new HealthRunner({ clock, onTransition: () => {}, random: () => 0 });
  runner.add(target(0), m);
  clock.advance(0);
  t.equal(m.starts.length, 1);
  clock.advance(2500); // ticks at 1000 and 2000 find the check still running
  await flush();
  t.equal(m.starts.length, 1);
  t.equal(runner.stats().skippedOverlaps, 2);
  m.starts[0]!.settle({ up: true, reason: 'ok', ms: 2500 });
  await flush();
  clock.advance(500); // next grid point at 3000
  t.equal(m.starts.length, 2);
  t.equal(m.starts[1]!.at, 3000);
  runner.stop();
});

t.test('timeout covers the whole check: the signal is aborted and the result is down', async (t) => {
  const clock = new FakeClock();
  const m = new ScriptedMonitor(clock);
  const seen: Transition[] = [];
  const runner = new HealthRunner({ clock, onTransition: (x) => seen.push(x), random: () => 0 });
  runner.add(target(0), m);
  clock.advance(0);
  t.equal(m.starts[0]!.signal.aborted, false);
  clock.advance(299);
  await flush();
  t.equal(seen.length, 0);
  clock.advance(1);
  await flush();
  t.equal(m.starts[0]!.signal.aborted, true);
  t.equal(seen.length, 1);
  t.equal(seen[0]!.up, false);
  t.match(seen[0]!.reason, /timeout after 300 ms/);
  runner.stop();
});

t.test('transitions only, with rise/fall, reason and duration of the previous state', async (t) => {
  const clock = new FakeClock();
  const m = new ScriptedMonitor(clock, { intervalMs: millis(1000), timeoutMs: millis(500), rise: 2, fall: 2 });
  const script = [true, true, false, true, false, false, false, true, true];
  let n = 0;
  m.auto = () => script[n++] ?? true;
  const seen: Transition[] = [];
  const runner = new HealthRunner({ clock, onTransition: (x) => seen.push(x), random: () => 0 });
  runner.add(target(0), m);
  for (let k = 0; k < script.length; k++) { clock.advance(k === 0 ? 0 : 1000); await flush(); }
  t.same(seen.map((s) => [s.up, s.previous, clock.wallNow() - s.at]), [
    [true, null, 8000],
    [false, true, 3000],
    [true, false, 0],
  ]);
  t.equal(seen[1]!.previousStateMs, 5000);
  t.equal(seen[2]!.previousStateMs, 3000);
  t.equal(seen[0]!.reason, 'scripted');
  t.equal(runner.state(target(0), m), true);
  runner.stop();
});

t.test('remove stops the checks and lets the monitor drop its state', async (t) => {
  const clock = new FakeClock();
  const m = new ScriptedMonitor(clock);
  m.auto = () => true;
  const runner = new HealthRunner({ clock, onTransition: () => {}, random: () => 0 });
  runner.add(target(0), m);
  clock.advance(0);
  await flush();
  clock.advance(1500);
  await flush();
  t.equal(m.starts.length, 2);
  runner.remove(target(0), m);
  t.same(m.forgotten, ['rs0']);
  clock.advance(5000);
  t.equal(m.starts.length, 2);
  t.equal(clock.pendingCount, 0);
  t.equal(runner.size, 0);
});

t.test('reasons leave the runner with URL userinfo and query values hidden, whatever the monitor wrote', async (t) => {
  const clock = new FakeClock();
  const m = new ScriptedMonitor(clock);
  const transitions: Transition[] = [];
  const results: string[] = [];
  const runner = new HealthRunner({
    clock, onTransition: (x) => transitions.push(x), onResult: (_t, _k, r) => results.push(r.reason), random: () => 0,
  });
  runner.add(target(0), m);
  clock.advance(0);
  await flush();
  m.starts[0]!.settle({ up: false, reason: 'GET http://ops:s3cret@127.0.0.1:81/health?token=abc&x: HTTP 500', ms: 1 });
  await flush();
  runner.stop();
  t.equal(transitions[0]?.reason, 'GET http://***@127.0.0.1:81/health?token=***&x: HTTP 500');
  t.same(results, [transitions[0]?.reason]);
  t.notMatch(JSON.stringify({ transitions, results }), /s3cret|abc/);
});

t.test('the runner counts late timeouts and rescues, and records each check\'s lateness', async (t) => {
  const clock = new FakeClock();
  const deferred: (() => void)[] = [];
  const m = new ScriptedMonitor(clock);
  const runner = new HealthRunner({ clock, onTransition: () => {}, random: () => 0, defer: (fn) => deferred.push(fn) });
  runner.add(target(0), m);
  clock.advance(0);
  await flush();
  clock.advance(300); // the timeout timer fires (on time with the fake clock)
  m.starts[0]!.settle({ up: true, reason: 'in time after all', ms: 300 });
  await flush();
  deferred.shift()!();
  await flush();
  t.equal(runner.state(target(0), m), true);
  t.match(runner.stats(), { timeoutsFired: 1, timeoutsRescued: 1, lateTimeouts: 0 });
  clock.advance(750); // the next check is due at 1000 and starts on time
  t.match(runner.lateness(), [{ target: { host: 'rs0' }, monitor: 'Scripted', lastMs: 0, maxMs: 0, lastTimeoutLateMs: 0 }]);
  runner.stop();
});

t.test('a monitor that throws or rejects against its contract is down, its error text redacted', async (t) => {
  const clock = new FakeClock();
  const reasons: string[] = [];
  const schedule = { intervalMs: millis(1000), timeoutMs: millis(300), rise: 1, fall: 1 };
  const throwing: Monitor = { kind: 'Throws', schedule, check: () => { throw new Error('GET http://u:pw@h/x?k=v broke'); } };
  const rejecting: Monitor = { kind: 'Rejects', schedule, check: () => Promise.reject(new Error('GET http://u:pw@h/y?k=v broke')) };
  const runner = new HealthRunner({ clock, onTransition: (x) => reasons.push(`${x.monitor} ${x.up} ${x.reason}`), random: () => 0 });
  runner.add(target(0), throwing);
  runner.add(target(1), rejecting);
  clock.advance(0);
  await flush();
  t.same(reasons.sort(), [
    'Rejects false check failed: Error: GET http://***@h/y?k=*** broke',
    'Throws false check failed: Error: GET http://***@h/x?k=*** broke',
  ]);
  runner.stop();
});

t.test('removing a server ends its running check: the signal is aborted and its late result dropped', async (t) => {
  const clock = new FakeClock();
  const m = new ScriptedMonitor(clock, { intervalMs: millis(1000), timeoutMs: millis(5000), rise: 1, fall: 1 });
  const seen: Transition[] = [];
  const runner = new HealthRunner({ clock, onTransition: (x) => seen.push(x), random: () => 0 });
  runner.add(target(0), m);
  clock.advance(0);
  t.equal(m.starts.length, 1);
  runner.remove(target(0), m);
  t.equal(m.starts[0]!.signal.aborted, true);
  m.starts[0]!.settle({ up: true, reason: 'late', ms: 1 });
  await flush();
  t.equal(seen.length, 0);
  t.equal(clock.pendingCount, 0, 'no deadline left behind');
});

t.test('a check that fails on this host (EMFILE) is no verdict: the server keeps its state', async (t) => {
  const clock = new FakeClock();
  const m = new ScriptedMonitor(clock);
  let reason = 'HTTP 200';
  let up = true;
  m.check = (target: Target) => { m.starts.push({ host: target.host, at: clock.now(), signal: new AbortController().signal, settle: () => {} }); return Promise.resolve({ up, reason, ms: 1 }); };
  const transitions: Transition[] = [];
  const runner = new HealthRunner({ clock, onTransition: (x) => transitions.push(x), random: () => 0 });
  runner.add(target(0), m);
  clock.advance(1); await flush();
  up = false; reason = 'http://h/: connect: EMFILE 127.0.0.1:80';
  for (let i = 0; i < 3; i++) { clock.advance(1000); await flush(); }
  t.same(transitions.map((x) => x.up), [true], 'three EMFILE checks: still up');
  reason = 'connect: ECONNREFUSED';
  clock.advance(1000); await flush();
  t.same(transitions.map((x) => x.up), [true, false], 'a refused connection is a down');
  runner.stop();
});
