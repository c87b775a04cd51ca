import t from 'tap';
import { FakeClock } from '../../test/support/fake-clock.js';
import { millis } from '../time/clock.js';
import type { CheckResult, Monitor, Target } from './monitor.js';
import { checkWithTimeout } from './check-timeout.js';

const flush = (): Promise<void> => new Promise((r) => setImmediate(r));
const target = (i: number): Target => ({ host: `rs${i}`, ip: `127.0.0.${i + 1}`, port: 80 });

/** A monitor whose results the test settles. */
class ScriptedMonitor implements Monitor {
  readonly kind = 'Scripted';
  readonly schedule = { intervalMs: millis(1000), timeoutMs: millis(300), rise: 1, fall: 1 };
  starts: { signal: AbortSignal; settle: (r: CheckResult) => void }[] = [];
  check(_t: Target, signal: AbortSignal): Promise<CheckResult> {
    return new Promise((resolve) => { this.starts.push({ signal, settle: resolve }); });
  }
}

/** A clock whose time the test sets, and whose timers the test fires: a timer can fire late. */
class ManualClock {
  t = 0;
  timers: (() => void)[] = [];
  now = (): ReturnType<FakeClock['now']> => millis(this.t);
  wallNow = (): number => this.t;
  setTimer = (_delay: number, fn: () => void): (() => void) => { this.timers.push(fn); return () => { this.timers = this.timers.filter((f) => f !== fn); }; };
}

t.test('a late timeout waits for the deferred step: a result that is already in counts (no false timeout)', async (t) => {
  const clock = new ManualClock();
  const deferred: (() => void)[] = [];
  const m = new ScriptedMonitor();
  const late: [number, boolean][] = [];
  const p = checkWithTimeout(m, target(0), clock, { defer: (fn) => deferred.push(fn), onTimeout: (ms, rescued) => late.push([ms, rescued]) });
  clock.t = 900; // the loop was blocked: the 300 ms timer fires 600 ms late
  clock.timers.shift()!();
  t.equal(deferred.length, 1, 'the verdict is deferred, not given in the timer');
  m.starts[0]!.settle({ up: true, reason: 'HTTP 200', ms: 5 }); // the poll phase reads the response
  await flush();
  deferred.shift()!();
  const r = await p;
  t.equal(r.up, true, r.reason);
  t.same(late, [[600, true]]);
  t.equal(m.starts[0]!.signal.aborted, false, 'a check that answered is not aborted');
});

t.test('a timeout with nothing received is down after the deferred step, then aborted', async (t) => {
  const clock = new ManualClock();
  const deferred: (() => void)[] = [];
  const m = new ScriptedMonitor();
  const late: [number, boolean][] = [];
  const p = checkWithTimeout(m, target(0), clock, { defer: (fn) => deferred.push(fn), onTimeout: (ms, rescued) => late.push([ms, rescued]) });
  clock.t = 300;
  clock.timers.shift()!();
  deferred.shift()!();
  const r = await p;
  t.same({ up: r.up, reason: r.reason }, { up: false, reason: 'timeout after 300 ms' });
  t.same(late, [[0, false]]);
  t.equal(m.starts[0]!.signal.aborted, true);
  m.starts[0]!.settle({ up: true, reason: 'too late', ms: 400 });
  await flush();
  t.equal((await p).up, false, 'settled once');
});

t.test('checkWithTimeout alone (one-shot checks) also hides URL secrets in the reason', async (t) => {
  const m = new ScriptedMonitor();
  const leaky: Monitor = { kind: 'Leaky', schedule: m.schedule, check: async () => ({ up: false, reason: 'GET https://a:b@h/x?k=v refused', ms: 1 }) };
  const r = await checkWithTimeout(leaky, target(0), new FakeClock());
  t.equal(r.reason, 'GET https://***@h/x?k=*** refused');
});

t.test("a local fault (out of descriptors, buffers or ports) is no verdict; the server's own errors are down", async (t) => {
  const { verdictOf } = await import('./check-timeout.js');
  for (const reason of ['http://h/: connect: EMFILE 127.0.0.1:80', 'connect: ENFILE', 'connect: ENOBUFS (10.0.0.1)', 'connect: EADDRNOTAVAIL']) {
    t.same(verdictOf({ up: false, reason, ms: 1 }).noVerdict, true, reason);
  }
  for (const reason of ['connect: ECONNREFUSED', 'HTTP 503', 'timeout after 500 ms', 'connect: EHOSTUNREACH']) {
    t.notOk(verdictOf({ up: false, reason, ms: 1 }).noVerdict, reason);
  }
  t.notOk(verdictOf({ up: true, reason: 'HTTP 200 EMFILE in the body', ms: 1 }).noVerdict, 'an up result stays up');
});
