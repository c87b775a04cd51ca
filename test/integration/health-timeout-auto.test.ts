// `timeout = auto` (issue 16 §5) with the real runner, the real ProxyFetch and a real HTTP server in
// its own process: a backend answering in ~1 ms that is then frozen (SIGSTOP) is down within about
// the interval plus the learned ~25 ms (a fixed 0.5 s timeout cannot be under 0.5 s); a backend whose
// answers jump 10× (5 → 50 ms) is not marked down.
import t, { type Test } from 'tap';
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { createMonitor, HealthRunner, type Transition } from '../../src/health/index.js';
import type { CheckResult } from '../../src/health/monitor.js';
import { systemClock } from '../../src/time/clock.js';

const IP = `127.45.${process.pid % 250}.7`;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

// The backend: answers 200 after `delay` ms; GET /delay/N sets the delay.
const BACKEND = `
const http = require('node:http');
let delay = Number(process.argv[1]) || 0;
http.createServer((q, s) => {
  if (q.url.startsWith('/delay/')) { delay = Number(q.url.slice(7)); s.end('ok'); return; }
  const go = () => { s.writeHead(200); s.end('ok'); };
  if (delay > 0) setTimeout(go, delay); else go();
}).listen(0, process.argv[2], function () { process.stdout.write(this.address().port + '\\n'); });
`;

async function backend(t: Test, delayMs: number): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(process.execPath, ['-e', BACKEND, String(delayMs), IP], { stdio: ['ignore', 'pipe', 'inherit'] });
  t.teardown(() => { if (child.pid !== undefined && child.exitCode === null) { process.kill(child.pid, 'SIGCONT'); process.kill(child.pid, 'SIGKILL'); } });
  const line = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('backend did not start in 10 s')), 10_000);
    createInterface({ input: child.stdout! }).once('line', (l) => { clearTimeout(timer); resolve(l); });
  });
  return { child, port: Number(line) };
}

function watch(t: Test, port: number, interval: number): { transitions: Transition[]; results: CheckResult[]; deadline: () => number } {
  const m = createMonitor('ProxyFetch', { url: 'http://web.example.test/', interval, timeout: 'auto', 'timeout-max': 0.5 });
  if (!m.ok) throw new Error(m.error);
  const transitions: Transition[] = [];
  const results: CheckResult[] = [];
  let deadline = Infinity;
  const runner = new HealthRunner({
    clock: systemClock, onTransition: (x) => transitions.push(x),
    onResult: (_t, _m, r, learned) => { results.push(r); deadline = learned?.deadlineMs ?? Infinity; },
  });
  t.teardown(() => { runner.stop(); m.value.close?.(); });
  runner.add({ host: 'web1', ip: IP, port }, m.value);
  return { transitions, results, deadline: () => deadline };
}

async function until(what: string, ok: () => boolean, ms: number): Promise<void> {
  for (let waited = 0; waited < ms; waited += 5) {
    if (ok()) return;
    await sleep(5);
  }
  throw new Error(`${what}: not within ${ms} ms`);
}

t.test('a ~1 ms backend frozen by SIGSTOP is down within the interval plus tens of ms', async (t) => {
  const { child, port } = await backend(t, 0);
  const { transitions, results, deadline: learnedNow } = watch(t, port, 0.1);
  await until('30 good answers', () => results.filter((r) => r.up).length >= 30, 15_000);
  // On a loaded machine a slow answer during learning can expire a check and widen the window to
  // the ceiling for a while (by design); the hang is what this test is about, so it waits for a
  // learned deadline first.
  await until('a learned deadline under the 500 ms ceiling', () => learnedNow() < 500, 20_000);
  t.same(transitions.map((x) => x.up), [true]);
  const stoppedAt = performance.now();
  process.kill(child.pid!, 'SIGSTOP');
  await until('down', () => transitions.length >= 2, 2_000);
  const tookMs = performance.now() - stoppedAt;
  const down = transitions[1]!;
  t.equal(down.up, false);
  const deadline = Number(/learned deadline (\d+) ms/.exec(down.reason)?.[1]);
  // The deadline came from this backend's own answers (max(12 × p99, 4 × slowest), at least 25 ms,
  // p99 and max rounded up to a √2 bucket edge: never above 12 × √2 × the slowest answer seen), not
  // from the 500 ms ceiling. Load on the machine slows answers and so widens it, within that bound.
  const slowest = Math.max(...results.filter((r) => r.up).map((r) => r.ms));
  t.ok(deadline >= 25 && deadline < 500 && deadline <= Math.max(25, 12 * Math.SQRT2 * slowest) + 1,
    `learned deadline ${deadline} ms (${down.reason}; slowest answer ${slowest.toFixed(1)} ms), not the 500 ms ceiling`);
  // Down at the next check plus that deadline and the 50 ms hold (learned-expiry.ts); a fixed 0.5 s timeout cannot be under 500 ms. The
  // time is printed, not judged: timers run late on a loaded machine (speed is the benchmarks' job).
  t.ok(tookMs < 2_000, `down ${Math.round(tookMs)} ms after SIGSTOP (interval 100 ms + deadline ${deadline} ms + hold 50 ms)`);
  process.kill(child.pid!, 'SIGCONT');
  await until('up again', () => transitions.length >= 3, 3_000);
  t.equal(transitions[2]!.up, true, 'up again once it answers');
});

t.test('a backend whose answers jump 10× (5 → 50 ms) is not marked down', async (t) => {
  const { port } = await backend(t, 5);
  const { transitions, results } = watch(t, port, 0.1);
  await until('30 good answers', () => results.filter((r) => r.up).length >= 30, 15_000);
  const res = await fetch(`http://${IP}:${port}/delay/50`);
  t.equal(res.status, 200);
  const from = results.length;
  await until('30 answers after the jump', () => results.length - from >= 30, 15_000);
  const after = results.slice(from + 1);
  t.ok(after.filter((r) => r.ms >= 45).length >= 25, `answers took ~50 ms after the jump (${after.map((r) => Math.round(r.ms)).join(' ')})`);
  t.same(after.filter((r) => !r.up).map((r) => r.reason), [], 'no check failed');
  t.same(transitions.map((x) => x.up), [true], 'never marked down');
});
