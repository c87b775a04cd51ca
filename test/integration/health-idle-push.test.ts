import t from 'tap';
import { spawn } from 'node:child_process';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { createMonitor, HealthRunner, type Monitor, type Transition } from '../../src/health/index.js';
import { systemClock } from '../../src/time/clock.js';

// Real sockets and real time, a 30 s interval and a phase near its end: every transition seen
// within the bounded waits below was pushed by IdleConnection, not read at a tick.
const IP = `127.44.${process.pid % 250}.6`;
type Teardown = { teardown(fn: () => void): void };
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function idleMonitor(t: Teardown): Monitor {
  const made = createMonitor('IdleConnection', { interval: 30, timeout: 2, 'timeout-clean-reconnect': 1 });
  if (!made.ok) throw new Error(made.error);
  t.teardown(() => made.value.close?.());
  return made.value;
}

function watchRunner(t: Teardown): { runner: HealthRunner; seen: Transition[]; waitFor(n: number): Promise<void> } {
  const seen: Transition[] = [];
  const runner = new HealthRunner({ clock: systemClock, onTransition: (x) => seen.push(x), random: () => 0.99 });
  t.teardown(() => runner.stop());
  const waitFor = async (n: number): Promise<void> => {
    for (let i = 0; i < 200 && seen.length < n; i++) await sleep(10);
  };
  return { runner, seen, waitFor };
}

/** A server that holds every connection it accepts; `sockets` in accept order. */
async function holdingServer(t: { teardown(fn: () => void): void }): Promise<{ server: Server; sockets: Socket[]; port: number }> {
  const sockets: Socket[] = [];
  const server = createServer((s) => { sockets.push(s); });
  await new Promise<void>((r) => server.listen(0, IP, () => r()));
  t.teardown(() => { server.close(); for (const s of sockets) s.destroy(); });
  return { server, sockets, port: (server.address() as AddressInfo).port };
}

t.test('connect and an unclean loss (RST) are reported at once, not at the 30 s tick', async (t) => {
  const { sockets, port } = await holdingServer(t);
  const { runner, seen, waitFor } = watchRunner(t);
  runner.add({ host: 'rs', ip: IP, port }, idleMonitor(t));
  await waitFor(1);
  t.same(seen.map((x) => x.up), [true], 'up as soon as connected');
  for (let i = 0; i < 200 && sockets.length < 1; i++) await sleep(5);
  sockets[0]!.resetAndDestroy();
  await waitFor(2);
  t.same(seen.map((x) => x.up), [true, false]);
  t.match(seen[1]!.reason, /uncleanly/);
  t.equal(runner.stats().checksStarted, 0, 'no tick has run yet');
  t.ok(runner.stats().pushedResults >= 2);
});

t.test('a clean close reconnects first: still up when the server accepts again', async (t) => {
  const { server, sockets, port } = await holdingServer(t);
  const { runner, seen, waitFor } = watchRunner(t);
  runner.add({ host: 'rs', ip: IP, port }, idleMonitor(t));
  await waitFor(1);
  for (let i = 0; i < 200 && sockets.length < 1; i++) await sleep(5);
  sockets[0]!.end();
  for (let i = 0; i < 200 && sockets.length < 2; i++) await sleep(5);
  t.equal(sockets.length, 2, 'reconnected immediately after the FIN');
  await sleep(100);
  t.same(seen.map((x) => x.up), [true], 'no down transition');

  server.close();
  sockets[1]!.end();
  await waitFor(2);
  t.same(seen.map((x) => x.up), [true, false], 'FIN and a refused reconnect: down at once');
  t.match(seen[1]!.reason, /ECONNREFUSED/);
  t.equal(runner.stats().checksStarted, 0);
});

t.test('a backend process killed: the kernel closes its sockets and the loss is pushed', async (t) => {
  const code = `require('net').createServer(()=>{}).listen(0,'${IP}',function(){process.stdout.write(this.address().port+'\\n')})`;
  const proc = spawn(process.execPath, ['-e', code], { stdio: ['ignore', 'pipe', 'inherit'] });
  t.teardown(() => { proc.kill('SIGKILL'); });
  const port = await new Promise<number>((resolve, reject) => {
    proc.stdout!.once('data', (d: Buffer) => resolve(Number(String(d).trim())));
    proc.once('exit', (c) => reject(new Error(`backend exited ${c}`)));
  });
  const { runner, seen, waitFor } = watchRunner(t);
  runner.add({ host: 'rs', ip: IP, port }, idleMonitor(t));
  await waitFor(1);
  t.same(seen.map((x) => x.up), [true]);
  proc.kill('SIGKILL');
  await waitFor(2);
  t.same(seen.map((x) => x.up), [true, false], 'down within the bounded wait, far below the 30 s interval');
  t.equal(runner.stats().checksStarted, 0);
});
