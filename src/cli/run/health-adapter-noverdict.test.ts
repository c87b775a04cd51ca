// Issue 16 §3, blast radius: a check this process cannot make (tcp.via-vip and EPERM at run time)
// is no verdict: the runner keeps the server's state (no transition, rise/fall untouched), the result
// is not counted as a failure, and the service gets one critical alert naming it, cleared when the
// checks give real results again.
import t from 'tap';
import { FakeClock } from '../../../test/support/fake-clock.js';
import { silentLogger } from '../../log/logger.js';
import type { CheckResult, Monitor, Target } from '../../health/index.js';
import { millis } from '../../time/clock.js';
import { HealthAdapter, noVerdictSource } from './health-adapter.js';

const flush = (): Promise<void> => new Promise((r) => setImmediate(r));
const DENIED: CheckResult = { up: false, reason: 'tcp.via-vip: cannot send to 10.2.1.1:80 through server a by IPIP: permission denied (errno 1): needs CAP_NET_RAW', ms: 0.1, noVerdict: true };

class Scripted implements Monitor {
  readonly kind = 'TCP';
  readonly schedule = { intervalMs: millis(1000), timeoutMs: millis(500), rise: 1, fall: 1 };
  next: CheckResult = { up: true, reason: 'connected', ms: 1 };
  check(_t: Target): Promise<CheckResult> { return Promise.resolve(this.next); }
}

t.test('no verdict: state kept, not counted, one alert naming the service; cleared by real results', async (t) => {
  const clock = new FakeClock();
  const transitions: string[] = [];
  const counted: boolean[] = [];
  const alerts: [string, string | null][] = [];
  const h = new HealthAdapter(clock, silentLogger, (_s, host, _m, r) => transitions.push(`${host} ${r.up ? 'up' : 'down'}`),
    (_s, _h, _m, r) => counted.push(r.up), (source, msg) => alerts.push([source, msg]));
  const m = new Scripted();
  h.setMonitors('web', [m]);
  for (const host of ['a', 'b']) h.start({ service: 'web', host, ip: '127.0.0.1', port: 80 } as never);
  const tick = async () => { for (let i = 0; i < 10; i++) { clock.advance(100); await flush(); } };
  await tick();
  t.same(transitions.sort(), ['a up', 'b up']);
  const before = counted.length;
  m.next = DENIED;
  await tick(); await tick();
  t.same(transitions.sort(), ['a up', 'b up'], 'no transition: both stay up (fall = 1 would have downed them)');
  t.equal(counted.length, before, 'not counted as results');
  t.same(alerts, [[noVerdictSource('web'), `web: TCP checks cannot be made, no verdict (servers keep their state): ${DENIED.reason}`]], 'one alert for the service');
  t.equal(h.checks.series('web', 'a', 'TCP')?.durations.length, 0, 'no duration series from it');
  m.next = { up: false, reason: 'connection refused', ms: 1 };
  await tick();
  t.same(alerts.at(-1), [noVerdictSource('web'), null], 'real results again: the alert clears');
  t.same(transitions.sort(), ['a down', 'a up', 'b down', 'b up'], 'and real verdicts count again');
  h.stopAll();
});
