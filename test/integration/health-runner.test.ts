import t from 'tap';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createMonitor, HealthRunner, type Transition } from '../../src/health/index.js';
import { systemClock } from '../../src/time/clock.js';

const IP = `127.44.${process.pid % 250}.4`;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

t.test('the runner with a real ProxyFetch reports transitions only, honouring fall', async (t) => {
  let status = 200;
  let requests = 0;
  const server = createServer((_req, res) => { requests++; res.writeHead(status); res.end(); });
  await new Promise<void>((r) => server.listen(0, IP, () => r()));
  t.teardown(() => { server.close(); server.closeAllConnections(); });
  const port = (server.address() as AddressInfo).port;
  const m = createMonitor('ProxyFetch', { url: 'http://web.example.test/', interval: 0.05, timeout: 1, fall: 3 });
  if (!m.ok) throw new Error(m.error);
  const seen: Transition[] = [];
  const runner = new HealthRunner({ clock: systemClock, onTransition: (x) => seen.push(x) });
  t.teardown(() => runner.stop());
  runner.add({ host: 'web1', ip: IP, port }, m.value);

  const waitFor = async (n: number): Promise<void> => {
    for (let i = 0; i < 200 && seen.length < n; i++) await sleep(10);
  };
  await waitFor(1);
  t.same(seen.map((s) => s.up), [true]);
  const before = requests;
  await sleep(300);
  t.ok(requests - before >= 3, `kept checking (${requests - before} checks)`);
  t.equal(seen.length, 1, 'repeated good results are not reported');

  status = 503;
  const downAt = requests;
  await waitFor(2);
  t.same(seen.map((s) => s.up), [true, false]);
  t.ok(requests - downAt >= 3, 'down only after three failed checks (fall = 3)');
  t.match(seen[1]!.reason, /HTTP 503/);
  t.ok((seen[1]!.previousStateMs ?? 0) > 0);

  status = 200;
  await waitFor(3);
  t.same(seen.map((s) => s.up), [true, false, true], 'up again after one good check (rise = 1)');
});
