import t from 'tap';
import { spawn } from 'node:child_process';
import { createMonitor, checkWithTimeout, HealthRunner, type Monitor, type Target, type Transition } from '../../src/health/index.js';
import { systemClock } from '../../src/time/clock.js';

// Issue 11: "10,000 concurrent requests to the instrumentation API starve the event loop: healthy
// servers fail 1 s checks". The check's timeout timer is vipd's; the server answers in time but
// vipd's loop is blocked. A real HTTP backend in another process answers 300 ms after the request;
// vipd's main loop is blocked by a busy loop for 1.5 s meanwhile; the check (1 s timeout) is up.
const IP = `127.47.${process.pid % 250}.1`;

const SERVER = `
const http = require('node:http');
const s = http.createServer((req, res) => setTimeout(() => { res.writeHead(200); res.end('ok\\n'); }, 300));
s.listen(0, process.argv[1], () => process.stdout.write(String(s.address().port) + '\\n'));
`;

async function backend(): Promise<number> {
  const child = spawn(process.execPath, ['-e', SERVER, IP], { stdio: ['ignore', 'pipe', 'inherit'] });
  t.teardown(() => { child.kill('SIGKILL'); });
  return new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('backend did not start in 10 s')), 10_000);
    child.stdout.once('data', (b: Buffer) => { clearTimeout(timer); resolve(Number(b.toString().trim())); });
    child.once('exit', (code) => { clearTimeout(timer); reject(new Error(`backend exited with ${code}`)); });
  });
}

const busy = (ms: number): void => {
  const end = performance.now() + ms;
  while (performance.now() < end) { /* vipd's own lag: an API flood, a big pool parse */ }
};

async function blockedCheck(m: Monitor, target: Target, defer?: (fn: () => void) => void): Promise<{ up: boolean; reason: string; late: number }> {
  let late = -1;
  const p = checkWithTimeout(m, target, systemClock, { ...(defer ? { defer } : {}), onTimeout: (ms) => { late = ms; } });
  await new Promise((r) => setTimeout(r, 100)); // the request is on the wire
  // The response arrives while the loop is blocked; the 1 s timer is due meanwhile. Blocking in the
  // check phase (as a burst of I/O callbacks would in the poll phase) means the next loop turn
  // starts with the timers, before the poll phase reads the response.
  await new Promise<void>((r) => setImmediate(() => { busy(1500); r(); }));
  const r = await p;
  await new Promise((res) => setImmediate(res)); // the deferred step reports the timer's lateness
  return { up: r.up, reason: r.reason, late };
}

t.test('a check whose answer arrived while vipd was blocked is up; the late timer is measured', async (t) => {
  const port = await backend();
  const m = createMonitor('ProxyFetch', { url: 'http://www.example.test/health', timeout: 1 });
  if (!m.ok) throw new Error(m.error);
  const target: Target = { host: 'web1', ip: IP, port };
  const warm = await checkWithTimeout(m.value, target, systemClock);
  t.equal(warm.up, true, `the backend answers: ${warm.reason}`);

  // The fault is real: with the verdict given inside the timer (the old way) the check is a timeout.
  const old = await blockedCheck(m.value, target, (fn) => fn());
  t.equal(old.up, false);
  t.match(old.reason, /timeout after 1000 ms/);

  for (let round = 0; round < 2; round++) {
    const r = await blockedCheck(m.value, target);
    t.equal(r.up, true, `round ${round}: ${r.reason}`);
    t.match(r.reason, /HTTP 200/);
    t.ok(r.late > 300, `the timer fired ${Math.round(r.late)} ms late, and that was counted`);
  }
});

t.test('the runner: two servers, the loop blocked while their answers are in flight, no false transition', async (t) => {
  const port = await backend();
  const m = createMonitor('ProxyFetch', { url: 'http://www.example.test/health', timeout: 1, interval: 2.5, rise: 1, fall: 1 });
  if (!m.ok) throw new Error(m.error);
  const transitions: Transition[] = [];
  const runner = new HealthRunner({ clock: systemClock, onTransition: (x) => transitions.push(x), random: () => 0 });
  t.teardown(() => runner.stop());
  const added = performance.now();
  const servers: Target[] = [{ host: 'web1', ip: IP, port }, { host: 'web2', ip: IP, port }];
  for (const s of servers) runner.add(s, m.value);
  for (let round = 1; round <= 2; round++) {
    // Checks start at added + k × 2.5 s; block from 100 ms after a start for 1.5 s.
    const at = added + round * 2500 + 100;
    await new Promise((r) => setTimeout(r, Math.max(0, at - performance.now())));
    await new Promise<void>((r) => setImmediate(() => { busy(1500); r(); }));
    await new Promise((r) => setTimeout(r, 200)); // the deferred verdicts
  }
  runner.stop();
  t.same(transitions.map((x) => `${x.target.host} ${x.up ? 'up' : 'down'}`).sort(), ['web1 up', 'web2 up'], 'up once each, never down');
  const stats = runner.stats();
  t.ok(stats.timeoutsRescued >= 4 && stats.lateTimeouts >= 4, `late timers fired and the answers counted: ${JSON.stringify(stats)}`);
  t.ok(stats.maxTimeoutLateMs > 300);
});
