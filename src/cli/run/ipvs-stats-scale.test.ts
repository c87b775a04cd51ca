// Issue 13 §5: the counters read of a 40,000-server service (every ipvs-stats-interval) gives the
// event loop back: host names, the black-hole rule's reading and the view are built in slices.
// The rule still judges the whole service: one black-holed server among 40,000 is found and named.
import t from 'tap';
import { parseConfig, type ServiceConfig } from '../../config/index.js';
import { DryRunDriver, IpvsReconciler, realServer, type IpvsTable, type ServiceCounters } from '../../lvs/index.js';
import { silentLogger } from '../../log/logger.js';
import { FakeClock } from '../../../test/support/fake-clock.js';
import { gaveBack, leastBlocking } from '../../../test/support/loop-blocking.js';
import { idleService } from '../../../test/support/daemon-config.js';
import { serviceKey } from '../ipvs-mapping.js';
import { IpvsStats } from './ipvs-stats.js';

const N = 40_000;
const address = (i: number): string => `10.255.${1 + (i >> 8)}.${i & 255}`;
const host = (i: number): string => `mw${i}.example.test`;
const SICK = 12_345;

function service(): ServiceConfig {
  const r = parseConfig(`[global]\nipvs-stats-interval = 1\n${idleService('web', 80, '/nonexistent', 'blackhole-window = 2\n')}`, 'vipd.conf');
  if (!r.ok) throw new Error(r.errors.map((e) => e.message).join('; '));
  return r.config.services[0]!;
}

t.test('a 40,000-server counters read gives the event loop back and still names the black-holed server', async (t) => {
  const svc = service();
  const key = serviceKey(svc);
  const driver = new DryRunDriver({ owned: [key], logger: silentLogger });
  const table: IpvsTable = [{
    key, scheduler: 'wrr', flags: [], ops: false,
    realServers: Array.from({ length: N }, (_, i) => realServer({ address: address(i), port: 80, weight: 10 })),
  }];
  await driver.apply(table);
  // every server holds 20 active / 5 inactive; SICK holds none and takes the new connections
  driver.fakeCounters = (tb): ServiceCounters[] => tb.map((s) => ({
    key: s.key,
    servers: s.realServers.map((r) => {
      const sick = r.address === address(SICK);
      return { address: r.address, port: r.port, weight: r.weight, active: sick ? 0 : 20, inactive: sick ? 400 : 5, cps: sick ? 50 : 1, inBps: 0, outBps: 0 };
    }),
  }));
  const hosts = new Map(Array.from({ length: N }, (_, i) => [`${address(i)}|80`, host(i)]));
  const depooled: string[] = [];
  let alert: string | null = null;
  const clock = new FakeClock();
  const stats = new IpvsStats({
    clock, log: silentLogger, reconciler: new IpvsReconciler({ ipvs: driver, clock, logger: silentLogger }), driver,
    intervalSeconds: 1, services: () => [svc], hostsOf: (name) => (name === 'web' ? hosts : null),
    depool: (_service, h) => depooled.push(h), raise: (m) => { alert = m; },
  });
  // readings one second apart: the pattern must hold over the 2 s window and one reading before it
  for (let i = 0; i < 3; i++) { await stats.readOnce(); clock.advance(1000); }
  const reads = await leastBlocking(2, async () => { await stats.readOnce(); clock.advance(1000); });
  gaveBack(t, `counters read of ${N} servers (the better of 2)`, reads);
  const view = stats.status()?.servers ?? [];
  t.equal(view.length, N, 'every server in the view');
  t.equal(view.find((s) => s.server === address(SICK))?.host, host(SICK), 'named by its pool host');
  t.same(view.filter((s) => s.blackholed).map((s) => s.server), [address(SICK)], 'exactly the sick server flagged');
  t.match(alert, `web: ${address(SICK)} looks black-holed: 0 active / 400 inactive`);
  t.same(depooled, [], 'blackhole-action = alert (the default): nothing depooled');
});
