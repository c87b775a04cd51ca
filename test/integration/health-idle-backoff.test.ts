import t from 'tap';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { createMonitor, type Target } from '../../src/health/index.js';
import { FakeClock } from '../support/fake-clock.js';

// Real sockets, fake time: the reconnect delays of IdleConnection are driven by the injected clock.
const IP = `127.44.${process.pid % 250}.5`;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

t.test('unclean loss reconnects with exponential backoff (factor e, ±12% jitter), capped at max-delay', async (t) => {
  const sockets: Socket[] = [];
  const server = createServer((s) => { sockets.push(s); });
  await new Promise<void>((r) => server.listen(0, IP, () => r()));
  t.teardown(() => { server.close(); for (const s of sockets) s.destroy(); });
  const target: Target = { host: 'rs', ip: IP, port: (server.address() as AddressInfo).port };
  const clock = new FakeClock();
  const made = createMonitor('IdleConnection', { 'max-delay': 2, timeout: 5 }, { clock, random: () => 0.5 });
  if (!made.ok) throw new Error(made.error);
  const m = made.value;
  t.teardown(() => m.close?.());
  const ac = new AbortController();
  const waitConnections = async (n: number): Promise<void> => {
    for (let i = 0; i < 200 && sockets.length < n; i++) await sleep(5);
  };

  t.equal((await m.check(target, ac.signal)).up, true);
  await waitConnections(1);
  sockets[0]!.resetAndDestroy();
  await sleep(50);
  t.equal((await m.check(target, ac.signal)).up, false, 'down after the reset');

  clock.advance(990);
  await sleep(50);
  t.equal(sockets.length, 1, 'no reconnect before the first delay (1 s)');
  clock.advance(20);
  await waitConnections(2);
  t.equal(sockets.length, 2, 'reconnected after 1 s');
  t.equal((await m.check(target, ac.signal)).up, true);

  // A successful connect resets the delay: the next loss again waits 1 s.
  sockets[1]!.resetAndDestroy();
  await sleep(50);
  clock.advance(1010);
  await waitConnections(3);
  t.equal(sockets.length, 3);

  // Refused connects grow the delay: 1 s, then e s capped at max-delay 2 s.
  server.close();
  sockets[2]!.resetAndDestroy();
  await sleep(50);
  clock.advance(1010); // attempt, refused
  await sleep(50);
  const down = await m.check(target, ac.signal);
  t.equal(down.up, false);
  t.match(down.reason, /ECONNREFUSED/);
  const listening = createServer((s) => { sockets.push(s); });
  await new Promise<void>((r) => listening.listen(target.port, IP, () => r()));
  t.teardown(() => listening.close());
  clock.advance(1990);
  await sleep(50);
  t.equal(sockets.length, 3, 'still waiting: the delay grew past 1 s');
  clock.advance(20);
  await waitConnections(4);
  t.equal(sockets.length, 4, 'reconnected at the 2 s cap, not after e s');
});
