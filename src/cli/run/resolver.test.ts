import t from 'tap';
import { recordingIpvs } from '../../../test/support/recording-ipvs.js';
import { Coordinator } from '../../coordinator/coordinator.js';
import { ResolveLimiter } from '../../coordinator/resolve-limiter.js';
import type { DesiredService } from '../../coordinator/types.js';
import { silentLogger } from '../../log/logger.js';
import { systemClock } from '../../time/clock.js';
import { systemResolver } from './resolver.js';

t.test('/etc/hosts names still resolve through the bounded resolver and the coordinator', async (t) => {
  const lim = new ResolveLimiter(systemResolver(), systemClock);
  t.same(await lim.lookup('localhost', 4), { ips: ['127.0.0.1'], error: null, report: false });
  const { port: ipvs, tables } = recordingIpvs();
  const c = new Coordinator({
    clock: systemClock, log: silentLogger, health: { start: () => {}, stop: () => {} }, ipvs,
    resolver: systemResolver(), resolveIntervalMs: 0,
  });
  c.configure([{ name: 'web', ip: '10.255.9.1', port: 80, protocol: 'tcp', depoolThreshold: 0.5, monitors: [], bgp: false }],
    { med: 0, withdrawPolicy: 'all-down', communities: [], largeCommunities: [], asPathPrepend: 0 });
  await c.updatePool('web', [{ host: 'localhost', weight: 10, enabled: true }]);
  t.same(tables.at(-1)?.[0]?.realServers.map((r) => `${r.host}=${r.ip}`), ['localhost=127.0.0.1']);
  c.stop();
});

/** A getaddrinfo stand-in that answers only when told, counting calls running. */
function heldLookup() {
  const pending: (() => void)[] = [];
  let running = 0;
  let peak = 0;
  const lookupAll = (host: string) => {
    running++;
    peak = Math.max(peak, running);
    return new Promise<{ address: string; family: number }[]>((resolve) => pending.push(() => {
      running--;
      resolve([{ address: `10.0.0.${host.length}`, family: 4 }]);
    }));
  };
  return { lookupAll, pending, peak: () => peak, running: () => running };
}

t.test('a look-up that outlives its caller keeps its slot: at most maxRunning getaddrinfo calls', async (t) => {
  const h = heldLookup();
  const resolve = systemResolver({ timeoutMs: 50, maxRunning: 2, lookupAll: h.lookupAll });
  const calls = ['a', 'bb', 'ccc', 'dddd'].map((n) => resolve(n, 4).then((x) => x, (e: Error) => e.message));
  const results = await Promise.all(calls);
  t.same(results, ['a', 'bb', 'ccc', 'dddd'].map((n) => `resolving ${n}: no answer within 50 ms`), 'every caller timed out');
  t.equal(h.running(), 2, 'the two stuck look-ups still hold their slots');
  t.equal(h.peak(), 2, 'the queued two were never started');
  const late = resolve('eeeee', 4);
  t.equal(h.pending.length, 2, 'eeeee waits for a slot');
  h.pending.shift()!();
  await new Promise((r) => setImmediate(r));
  t.equal(h.pending.length, 2, 'a finished look-up let eeeee start');
  h.pending.pop()!();
  t.same(await late, ['10.0.0.5'], 'a slot freed by a finished look-up serves the next caller');
  t.equal(h.peak(), 2);
  for (const p of h.pending.splice(0)) p();
});
