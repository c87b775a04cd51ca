// Operator overrides (issue 15) on the incremental coordinator (issue 13 §1): a service with an
// override is rebuilt through its overrides; the others keep the O(changed) patch.
import t from 'tap';
import { recordingIpvs } from '../../test/support/recording-ipvs.js';
import { FakeClock } from '../../test/support/fake-clock.js';
import { silentLogger } from '../log/logger.js';
import { Coordinator } from './coordinator.js';
import { NO_OVERRIDES, withOverride, type OverrideSet, type OverrideState } from './overrides.js';
import type { Route, RouteSpec, ServiceSpec } from './types.js';

const route: RouteSpec = { nextHopV4: '192.0.2.10', med: 10, withdrawPolicy: 'all-down', communities: [], largeCommunities: [], asPathPrepend: 0 };
const web: ServiceSpec = { name: 'web', ip: '10.2.1.1', port: 80, protocol: 'tcp', depoolThreshold: 0.5, monitors: ['ProxyFetch'], bgp: true };
const api: ServiceSpec = { ...web, name: 'api', ip: '10.2.1.2' };
const HOSTS = Array.from({ length: 64 }, (_, i) => `10.0.${i >> 8}.${(i & 255) + 1}`);
const ov = (pool: string, host: string, state: OverrideState) => ({ pool, host, state, reason: 'r', author: 'alice', since: '2026-12-06T10:00:00.000Z', expires: null, forced: false });

async function setup() {
  const clock = new FakeClock();
  const rec = recordingIpvs();
  const adverts: Route[][] = [];
  const c = new Coordinator({
    clock, log: silentLogger, health: { start: () => {}, stop: () => {} }, ipvs: rec.port,
    speaker: { setAdvertised: (r) => adverts.push(r) }, resolver: async () => [], resolveIntervalMs: 0,
  });
  c.configure([web, api], route);
  for (const s of [web, api]) {
    await c.updatePool(s.name, HOSTS.map((host) => ({ host, weight: 10, enabled: true })));
    for (const h of HOSTS) c.monitorResult(s.name, h, 'ProxyFetch', { up: true, reason: 'ok' });
  }
  clock.advance(0);
  // Counts full passes over a pool (rebuild and the override path iterate `servers.values()`; a patch does not).
  const passes = { web: 0, api: 0 };
  for (const name of ['web', 'api'] as const) {
    const servers = c['services'].get(name)!.pool.servers;
    const values = servers.values.bind(servers);
    servers.values = () => { passes[name]++; return values(); };
  }
  const set = (o: OverrideSet) => { c.setOverrides(o, null); clock.advance(0); };
  const result = (svc: string, host: string, up: boolean) => { c.monitorResult(svc, host, 'ProxyFetch', { up, reason: up ? 'ok' : 'refused' }); clock.advance(0); };
  const list = (svc: string) => rec.current.get(svc)!.realServers;
  return { c, clock, rec, adverts, passes, set, result, list };
}

t.test('a transition of a service without overrides costs no pass over its pool while another has one', async (t) => {
  const h = await setup();
  h.set({ servers: [ov('web', HOSTS[0]!, 'drained')], instance: null });
  t.equal(h.list('web')[0]!.weight, 0, 'drained: weight 0');
  t.equal(h.passes.api, 0, 'api untouched by web\'s override');
  const before = h.rec.batches.length;
  h.result('api', HOSTS[5]!, false);
  t.same(h.rec.batches.slice(before).map((b) => b.services.map((s) => s.service)), [['api']], 'one batch, api only');
  t.equal(h.list('api').length, 63);
  t.equal(h.passes.api, 0, 'api patched in place, not rebuilt');
  h.result('web', HOSTS[5]!, false);
  t.ok(h.passes.web > 0, 'web (overridden) is rebuilt through its overrides');
  t.equal(h.list('web').length, 63);
});

t.test('an unchanged overridden list is not handed to IPVS again; the last override gone, the fast path returns', async (t) => {
  const h = await setup();
  h.set({ servers: [ov('web', HOSTS[0]!, 'drained'), ov('web', HOSTS[1]!, 'depooled')], instance: null });
  const drained = h.list('web')[0]!;
  const before = h.rec.batches.length;
  h.c.monitorResult('web', HOSTS[1]!, 'ProxyFetch', { up: false, reason: 'refused' }); // depooled already: no change in IPVS
  h.clock.advance(0);
  t.equal(h.rec.batches.length, before, 'no batch: the rebuilt list equals the last (same objects)');
  h.result('web', HOSTS[2]!, false);
  t.equal(h.list('web')[0], drained, 'the drained entry is the same object');
  h.set(NO_OVERRIDES);
  t.same(h.list('web').slice(0, 2).map((r) => `${r.host}:${r.weight}`), [`${HOSTS[0]}:10`, `${HOSTS[3]}:10`], 'back at weight 10; the down ones stay out');
  const passes = h.passes.web;
  h.result('web', HOSTS[3]!, false);
  t.equal(h.passes.web, passes, 'without overrides web is patched again');
});

t.test('depooling every server withdraws the VIP; an instance depool withdraws every VIP and comes back', async (t) => {
  const h = await setup();
  t.same(h.adverts.at(-1)!.map((r) => r.prefix), ['10.2.1.1/32', '10.2.1.2/32']);
  let set: OverrideSet = NO_OVERRIDES;
  for (const host of HOSTS) set = withOverride(set, ov('web', host, 'depooled'));
  h.set(set);
  t.same(h.list('web'), []);
  t.same(h.adverts.at(-1)!.map((r) => r.prefix), ['10.2.1.2/32'], 'web\'s VIP withdrawn');
  h.c.setOverrides(NO_OVERRIDES, { phase: 'graceful', reason: 'maint' });
  h.clock.advance(0);
  t.same(h.adverts.at(-1)!.map((r) => r.communities), [[0xffff0000], [0xffff0000]], 'GRACEFUL_SHUTDOWN first (RFC 8326)');
  h.c.setOverrides(NO_OVERRIDES, { phase: 'withdrawn', reason: 'maint' });
  h.clock.advance(0);
  t.same(h.adverts.at(-1), [], 'every VIP withdrawn');
  t.match(h.c.status().vips[0]!.reason, /instance depooled: maint/);
  t.equal(h.list('api').length, 64, 'IPVS stays');
  h.c.setOverrides(NO_OVERRIDES, null);
  h.clock.advance(0);
  t.same(h.adverts.at(-1)!.map((r) => [r.prefix, r.communities]), [['10.2.1.1/32', []], ['10.2.1.2/32', []]], 'announced again');
});
