import t from 'tap';
import { FakeClock } from '../../test/support/fake-clock.js';
import { silentLogger } from '../log/logger.js';
import { Coordinator } from './coordinator.js';
import type { Route, RouteSpec, ServiceSpec } from './types.js';

// Issue 14 §1 (RFC 4724 §4.1): the speaker learns once that every VIP is decided — its first health
// round done, or bgp-first-round-wait over — so End-of-RIB after a restart drops no healthy VIP.

const route: RouteSpec = { nextHopV4: '192.0.2.10', med: 10, withdrawPolicy: 'all-down', communities: [], largeCommunities: [], asPathPrepend: 0 };
const spec = (name: string, ip: string): ServiceSpec => ({ name, ip, port: 80, protocol: 'tcp', depoolThreshold: 0.5, monitors: ['ProxyFetch'], bgp: true });

function setup(r: RouteSpec = route) {
  const clock = new FakeClock();
  const log: string[] = [];
  const c = new Coordinator({
    clock, log: silentLogger, health: { start: () => {}, stop: () => {} }, ipvs: { applyChanges: () => {} },
    speaker: { setAdvertised: (routes: Route[]) => log.push(`routes ${routes.map((x) => x.prefix).join(',')}`), routesComplete: () => log.push('complete') },
    resolver: async () => { throw new Error('no DNS here'); }, resolveIntervalMs: 0,
  });
  return { c, clock, log };
}

t.test('complete once both VIPs finished their first round, after their routes, and only once', async (t) => {
  const h = setup();
  h.c.configure([spec('a', '10.2.1.1'), spec('b', '10.2.1.2')], route);
  await h.c.updatePool('a', [{ host: '10.0.0.1', weight: 1, enabled: true }]);
  await h.c.updatePool('b', [{ host: '10.0.0.2', weight: 1, enabled: true }]);
  h.c.monitorResult('a', '10.0.0.1', 'ProxyFetch', { up: true, reason: 'ok' });
  h.clock.advance(0);
  t.notOk(h.log.includes('complete'), 'b still waits');
  h.c.monitorResult('b', '10.0.0.2', 'ProxyFetch', { up: false, reason: 'refused' });
  h.clock.advance(0);
  t.same(h.log, ['routes 10.2.1.1/32', 'complete'], 'a announced, b down: decided; complete after the routes');
  h.c.monitorResult('b', '10.0.0.2', 'ProxyFetch', { up: true, reason: 'ok' });
  h.clock.advance(0);
  t.same(h.log.filter((l) => l === 'complete').length, 1, 'once');
});

t.test('a pool that never arrives: complete when bgp-first-round-wait is over', async (t) => {
  const h = setup({ ...route, firstRoundWaitMs: 5000 });
  h.c.configure([spec('a', '10.2.1.1')], { ...route, firstRoundWaitMs: 5000 });
  t.notOk(h.log.includes('complete'));
  h.clock.advance(5000);
  t.ok(h.log.includes('complete'));
});

t.test('no services: complete at once', async (t) => {
  const h = setup();
  h.c.configure([], route);
  t.same(h.log, ['complete']);
});
