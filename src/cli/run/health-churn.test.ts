// The soak's missed checks (issue 11 "Proof"): a pool rewrite that changes only a server's weight
// or enabled flag must leave its health checks alone: same grid, no check aborted, state kept
// (PyBal's Server.merge, PYBAL.md §4.3). A port change moves the target: the checks restart.
import t from 'tap';
import { Coordinator } from '../../coordinator/coordinator.js';
import type { PoolServer, RouteSpec, ServiceSpec } from '../../coordinator/types.js';
import type { CheckResult, CheckSignal, Monitor, Target } from '../../health/index.js';
import { silentLogger } from '../../log/logger.js';
import type { Millis } from '../../time/clock.js';
import { FakeClock } from '../../../test/support/fake-clock.js';
import { recordingIpvs } from '../../../test/support/recording-ipvs.js';
import { HealthAdapter } from './health-adapter.js';

const route: RouteSpec = {
  nextHopV4: '192.0.2.10', med: 10, withdrawPolicy: 'all-down', communities: [], largeCommunities: [], asPathPrepend: 0,
};
const web: ServiceSpec = {
  name: 'web', ip: '10.2.1.1', port: 80, protocol: 'tcp', depoolThreshold: 0.5, monitors: ['ProxyFetch'], bgp: true,
};
const CHECK_MS = 20;

function setup() {
  const clock = new FakeClock();
  const starts: { at: number; host: string; port: number; signal: CheckSignal }[] = [];
  let results = 0;
  const monitor: Monitor = {
    kind: 'ProxyFetch',
    schedule: { intervalMs: 1000 as Millis, timeoutMs: 500 as Millis, rise: 2, fall: 3 },
    check: (target: Target, signal: CheckSignal): Promise<CheckResult> => {
      starts.push({ at: clock.now(), host: target.host, port: target.port, signal });
      return new Promise((resolve) => { clock.setTimer(CHECK_MS, () => resolve({ up: true, reason: 'HTTP 200', ms: CHECK_MS })); });
    },
  };
  let c: Coordinator | null = null;
  const health = new HealthAdapter(clock, silentLogger,
    (service, host, m, res) => c?.monitorResult(service, host, m, { up: res.up, reason: res.reason }),
    () => { results++; });
  const { port: ipvs } = recordingIpvs();
  c = new Coordinator({
    clock, log: silentLogger, health, ipvs, speaker: { setAdvertised: () => {} },
    resolver: async () => { throw new Error('no DNS in this test'); }, resolveIntervalMs: 0,
  });
  health.setMonitors('web', [monitor]);
  c.configure([web], route);
  // Fake time, with the promise callbacks (check results) run between steps.
  const run = async (ms: number, until?: () => boolean): Promise<void> => {
    for (let i = 0; i < ms; i++) {
      clock.advance(1);
      await new Promise((r) => setImmediate(r));
      if (until?.()) return;
    }
  };
  return { c, clock, starts, results: () => results, run, health };
}

const pool = (o: Partial<PoolServer> = {}): PoolServer[] => [
  { host: '10.0.0.1', weight: 10, enabled: true, ...o }, { host: '10.0.0.2', weight: 10, enabled: true },
];

t.test('a weight or enabled change keeps the server\'s check grid, its running check and its state', async (t) => {
  const h = setup();
  await h.c.updatePool('web', pool());
  await h.run(3000);
  t.equal(h.starts.length, 6, 'both servers checked every second');
  // Change 10.0.0.1's weight while a check of it runs, then disable it, then enable it again.
  for (const change of [{ weight: 20 }, { weight: 20, enabled: false }, { weight: 20, enabled: true }]) {
    const n = h.starts.length;
    await h.run(2000, () => h.starts.length > n);
    await h.run(CHECK_MS / 2);
    await h.c.updatePool('web', pool(change));
    await h.run(3000);
  }
  const aborted = h.starts.filter((s) => s.signal.aborted).length;
  t.equal(aborted, 0, 'no check aborted by a pool rewrite');
  const byPhase = new Set(h.starts.map((s) => (s.at % 1000).toFixed(3)));
  t.equal(byPhase.size, 2, `each server stays on its own 1 s grid (phases ${[...byPhase].join(', ')} ms)`);
  // the checks still running at the end: both servers' when their phases are under CHECK_MS apart
  const running = h.starts.filter((s) => h.clock.now() - s.at < CHECK_MS).length;
  t.equal(h.results(), h.starts.length - running, 'every check started gave its result');
  const s = h.c.status().pools[0]!.servers.find((x) => x.host === '10.0.0.1')!;
  t.match(s, { weight: 20, enabled: true, up: true }, 'the server kept its state');
  h.health.stopAll();
});

t.test('a port change moves the target: the checks of that server restart on the new port', async (t) => {
  const h = setup();
  await h.c.updatePool('web', pool());
  await h.run(2500);
  await h.c.updatePool('web', pool({ port: 8080 }));
  await h.run(2500);
  const moved = h.starts.filter((s) => s.host === '10.0.0.1');
  const at = moved.findIndex((s) => s.port === 8080);
  t.ok(at > 0, 'checked on its new port');
  t.ok(moved.slice(at).every((s) => s.port === 8080), 'never on the old port after the move');
  t.ok(h.starts.filter((s) => s.host === '10.0.0.2').every((s) => s.port === 80), 'the other server untouched');
  h.health.stopAll();
});
