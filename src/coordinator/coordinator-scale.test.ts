// Issue 13 §5: a new 40,000-server pool list is applied without holding the event loop: its
// servers become ready (their monitors start) in slices, in list order, and the first health
// round cannot complete while some are still waiting for their address. Names and addresses mixed.
import t from 'tap';
import { gaveBack, leastBlocking } from '../../test/support/loop-blocking.js';
import { recordingIpvs } from '../../test/support/recording-ipvs.js';
import { FakeClock } from '../../test/support/fake-clock.js';
import { createLogger, silentLogger } from '../log/logger.js';
import { Coordinator } from './coordinator.js';
import type { HealthTarget, Route, RouteSpec, ServiceSpec } from './types.js';

const N = 40_000;
const route: RouteSpec = { nextHopV4: '10.255.0.254', med: 10, withdrawPolicy: 'all-down', communities: [], largeCommunities: [], asPathPrepend: 0 };
const web: ServiceSpec = { name: 'web', ip: '10.2.1.1', port: 80, protocol: 'tcp', depoolThreshold: 0.5, monitors: ['ProxyFetch'], bgp: true };
const address = (i: number): string => `10.255.${i >> 8}.${i & 255}`;

function rig(t: { teardown(f: () => unknown): void }, log = silentLogger) {
  const clock = new FakeClock();
  const started: HealthTarget[] = [];
  const adverts: Route[][] = [];
  const c = new Coordinator({
    clock, log, ipvs: recordingIpvs().port, speaker: { setAdvertised: (r) => adverts.push(r) },
    health: { start: (tg) => started.push(tg), stop: () => {} },
    resolver: async (host) => (host === 'be-by-name' ? ['10.254.0.1'] : Promise.reject(new Error('NXDOMAIN'))), resolveIntervalMs: 0,
  });
  t.teardown(() => c.stop());
  c.configure([web], route);
  return { clock, started, adverts, c };
}

t.test(`a ${N}-server pool: ready in slices, in list order, announced once every server has a result`, async (t) => {
  const list = Array.from({ length: N }, (_, i) => ({ host: i === 7 ? 'be-by-name' : address(i), weight: 10, enabled: true }));
  const rigs = [rig(t), rig(t)];
  const midway: number[] = [];
  // two coordinators, each given the list: the better run counts (a major GC may land in a slice)
  const applied = await leastBlocking(2, async (run) => {
    const { c, started } = rigs[run]!;
    const done = c.updatePool('web', list);
    for (let i = 0; i < 10_000 && started.length === 0; i++) await new Promise((ok) => setImmediate(ok));
    midway.push(started.length);
    await done;
  });
  gaveBack(t, `applying ${N} new servers (the better of 2)`, applied);
  t.ok(midway.every((m) => m > 0 && m < N), `part of the servers had started while the loop ran other work (${midway.join(', ')})`);
  const { c, clock, started, adverts } = rigs[1]!;
  t.equal(started.length, N, 'every server started once');
  t.same(started.slice(0, 9).map((s) => s.ip), [0, 1, 2, 3, 4, 5, 6, -1, 8].map((i) => (i < 0 ? '10.254.0.1' : address(i))), 'in list order, the name resolved in its place');
  for (const tg of started) c.monitorResult('web', tg.host, 'ProxyFetch', { up: true, reason: 'ok' });
  clock.advance(0);
  t.same(adverts.at(-1)?.map((r) => r.prefix), ['10.2.1.1/32'], 'announced once every server has its first result');
});

t.test(`a pool edit of ${N} servers: a log line each (as PyBal), written in slices`, async (t) => {
  let merged = 0;
  let first = '';
  const log = createLogger({ level: 'info', json: true, write: (l) => {
    if (!l.includes('merged enabled server, weight 20')) return;
    merged++;
    first ||= l;
  } });
  const { c } = rig(t, log);
  const list = (weight: number) => Array.from({ length: N }, (_, i) => ({ host: address(i), weight, enabled: true }));
  await c.updatePool('web', list(10));
  const done = c.updatePool('web', list(20)); // every weight changed
  const inTheSameTurn = merged;
  await done;
  t.ok(inTheSameTurn < N, `not every line in the turn of the update (${inTheSameTurn} of ${N}): 10,000 were a 20–30 ms block`);
  t.equal(merged, N, 'a line per server, every one written by the time the update is done');
  t.match(JSON.parse(first), { service: 'web', server: address(0) }, 'naming the service and server, in list order');
});

t.test('the first round waits for servers whose address is not settled yet, though every started one is up', async (t) => {
  const clock = new FakeClock();
  const started: HealthTarget[] = [];
  const adverts: Route[][] = [];
  let answer: (ips: string[]) => void = () => {};
  const c = new Coordinator({
    clock, log: silentLogger, ipvs: recordingIpvs().port, speaker: { setAdvertised: (r) => adverts.push(r) },
    health: { start: (tg) => started.push(tg), stop: () => {} },
    resolver: () => new Promise<string[]>((ok) => { answer = ok; }), resolveIntervalMs: 0,
  });
  t.teardown(() => c.stop());
  c.configure([web], route);
  const done = c.updatePool('web', [{ host: address(1), weight: 10, enabled: true }, { host: 'late-name', weight: 10, enabled: true }]);
  for (let i = 0; i < 100 && started.length === 0; i++) await new Promise((ok) => setImmediate(ok));
  t.same(started.map((s) => s.host), [], 'the address waits for the name after it: the list is settled in one pass, in order');
  answer(['10.254.0.2']);
  await done;
  t.same(started.map((s) => s.host), [address(1), 'late-name']);
  c.monitorResult('web', address(1), 'ProxyFetch', { up: true, reason: 'ok' });
  clock.advance(0);
  t.same(adverts.filter((a) => a.length > 0), [], 'one server without its first result: no VIP');
  c.monitorResult('web', 'late-name', 'ProxyFetch', { up: true, reason: 'ok' });
  clock.advance(0);
  t.same(adverts.at(-1)?.map((r) => r.prefix), ['10.2.1.1/32']);
});
