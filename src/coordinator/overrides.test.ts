import t from 'tap';
import {
  effectiveServer, expire, nextExpiry, NO_OVERRIDES, overridesAlert, parseOverrideRequest, parseRfc3339, thresholdRefusal,
  withOverride, withoutOverride, type OverrideSet, type ServerOverride,
} from './overrides.js';
import { applyInstance, effectivePool, effectiveServers, overlayPools, poolForVips } from './overrides-apply.js';
import { serviceHealth } from './status.js';
import type { PoolStatus } from './status.js';
import type { Route, ServerState } from './types.js';
import type { VipDecision } from './vip-policy.js';

const NOW = Date.parse('2026-12-06T10:00:00Z');
const ov = (host: string, state: ServerOverride['state'], o: Partial<ServerOverride> = {}): ServerOverride => ({
  pool: 'web', host, state, reason: 'r', author: 'alice', since: '2026-12-06T09:00:00.000Z', expires: null, forced: false, ...o,
});

t.test('a request is validated field by field', async (t) => {
  const ok = parseOverrideRequest({ state: 'drained', reason: '  disk\n swap ', expires: '2026-12-06T12:00:00+01:00' }, NOW);
  t.same(ok, { ok: true, value: { state: 'drained', reason: 'disk swap', expires: '2026-12-06T11:00:00.000Z', force: false } });
  const field = (body: unknown, states?: readonly ('depooled' | 'drained' | 'pooled')[]) => {
    const r = parseOverrideRequest(body, NOW, states);
    return r.ok ? null : r.field;
  };
  t.equal(field([]), 'body');
  t.equal(field({ state: 'gone', reason: 'x' }), 'state');
  t.equal(field({ state: 'depooled' }), 'reason');
  t.equal(field({ state: 'depooled', reason: ' ' }), 'reason');
  t.equal(field({ state: 'depooled', reason: 'x'.repeat(501) }), 'reason');
  t.equal(field({ state: 'depooled', reason: 'x', expires: 'tomorrow' }), 'expires');
  t.equal(field({ state: 'depooled', reason: 'x', expires: '2026-12-06T09:59:59Z' }), 'expires', 'in the past');
  t.equal(field({ state: 'depooled', reason: 'x', force: 'yes' }), 'force');
  t.equal(field({ state: 'depooled', reason: 'x', who: 'me' }), 'who', 'an unknown field is named');
  t.equal(field({ state: 'drained', reason: 'x' }, ['depooled']), 'state', 'the instance takes only depooled');
  const r = parseOverrideRequest({ state: 'x', reason: 'y' }, NOW);
  t.match(r, { ok: false, error: /^state: must be "depooled" or "drained" or "pooled"/ });
  t.equal(parseRfc3339('2026-13-01T00:00:00Z'), null);
  t.equal(parseRfc3339('2026-12-06T10:00:00.5Z'), NOW + 500);
});

t.test('effective place in IPVS per state', async (t) => {
  const base = { pooled: true, enabled: true, ready: true, weight: 10 };
  t.same(effectiveServer(base, undefined), { inIpvs: true, weight: 10 });
  t.same(effectiveServer(base, 'depooled'), { inIpvs: false, weight: 10 });
  t.same(effectiveServer(base, 'drained'), { inIpvs: true, weight: 0 });
  t.same(effectiveServer({ ...base, pooled: false }, 'drained'), { inIpvs: false, weight: 0 }, 'a drained server that goes down leaves');
  t.same(effectiveServer({ ...base, pooled: false }, 'pooled'), { inIpvs: true, weight: 10 }, 'pinned in while down');
  t.same(effectiveServer({ ...base, pooled: false, enabled: false }, 'pooled'), { inIpvs: false, weight: 10 }, 'disabled stays out');
  const s = (host: string, pooled: boolean): ServerState => ({
    host, weight: 5, enabled: true, ready: true, resolving: false, ip: `10.0.0.${host.length}`, up: pooled, pooled, monitors: new Map(),
  });
  const set: OverrideSet = { servers: [ov('a', 'depooled'), ov('bb', 'drained'), ov('ccc', 'pooled'), { ...ov('dddd', 'depooled'), pool: 'other' }], instance: null };
  const got = effectiveServers('web', 0, [s('a', true), s('bb', true), s('ccc', false), s('dddd', true)], set).map(({ s, weight }) => `${s.host}:${weight}`);
  t.same(got, ['bb:0', 'ccc:5', 'dddd:5'], 'an override of another pool does not apply');
});

t.test('the depool threshold holds unless forced', async (t) => {
  const pool = {
    name: 'web', depoolThreshold: 0.5,
    servers: ['a', 'b', 'c', 'd'].map((host) => ({ host, up: host !== 'd', enabled: true, ready: true })),
  };
  t.equal(thresholdRefusal(pool, NO_OVERRIDES, 'a', 'depooled'), null, '3 serving → 2 of 4 ≥ 2');
  const one = withOverride(NO_OVERRIDES, ov('a', 'depooled'));
  t.match(thresholdRefusal(pool, one, 'b', 'drained'), /draining b would leave 1 of 4 servers of web serving, below its depool-threshold 0.5 \(2 needed\)/);
  t.equal(thresholdRefusal(pool, one, 'd', 'depooled'), null, 'a down server serves nothing: it may go');
  t.equal(thresholdRefusal(pool, one, 'a', 'drained'), null, 'already out: depooled → drained changes nothing');
  t.equal(thresholdRefusal(pool, one, 'b', 'pooled'), null, 'pinning in never breaks it');
  t.same(withoutOverride(one, 'web', 'a'), NO_OVERRIDES);
  t.equal(withOverride(one, ov('a', 'drained')).servers.length, 1, 'a PUT replaces');
});

t.test('expiry ends overrides and names the next one', async (t) => {
  const set: OverrideSet = {
    servers: [ov('a', 'depooled', { expires: '2026-12-06T10:00:00.000Z' }), ov('b', 'drained', { expires: '2026-12-06T11:00:00.000Z' }), ov('c', 'pooled')],
    instance: { state: 'depooled', reason: 'maint', author: 'bob', since: '2026-12-06T09:00:00.000Z', expires: '2026-12-06T10:30:00.000Z' },
  };
  t.equal(nextExpiry(set), NOW);
  const r = expire(set, NOW);
  t.same(r.ended.map((o) => ('host' in o ? o.host : 'instance')), ['a']);
  t.same(r.set.servers.map((o) => o.host), ['b', 'c']);
  const later = expire(r.set, NOW + 45 * 60_000);
  t.equal(later.set.instance, null, 'the instance override ends too');
  t.equal(nextExpiry(later.set), NOW + 3600_000);
  t.equal(expire(NO_OVERRIDES, NOW).set, NO_OVERRIDES, 'unchanged: the same object');
  t.match(overridesAlert(set), /^4 overrides in force: instance depooled by bob since .* until .*: maint; web\/a depooled by alice/);
  t.equal(overridesAlert(NO_OVERRIDES), null);
});

t.test('instance depool: GRACEFUL_SHUTDOWN, then no route', async (t) => {
  const route: Route = { prefix: '10.2.1.1/32', nextHop: '192.0.2.1', med: 0, communities: [1], largeCommunities: [], asPathPrepend: 0 };
  const decision: VipDecision = { ip: '10.2.1.1', prefix: '10.2.1.1/32', announced: true, reason: 'web 1/1 up', med: 0, degraded: false, policy: 'all-down', services: [] };
  const d = { routes: [route], decisions: [decision] };
  t.equal(applyInstance(d, null), d);
  const g = applyInstance(d, { phase: 'graceful', reason: 'maint' });
  t.same(g.routes[0]!.communities, [1, 0xffff0000], 'RFC 8326 community added');
  t.same(applyInstance(g, { phase: 'graceful', reason: 'maint' }).routes[0]!.communities, [1, 0xffff0000], 'only once');
  const w = applyInstance(d, { phase: 'withdrawn', reason: 'maint' });
  t.same(w.routes, []);
  t.match(w.decisions[0], { announced: false, med: null, reason: 'instance depooled: maint' });
});

t.test('the threshold holds when health depools after an operator depool', async (t) => {
  const m = (host: string, up: boolean) => ({ host, up, pooled: up, enabled: true, ready: true, weight: 10 });
  // 4 servers, threshold 0.5: the operator took a and b out (2 of 4 left, allowed); then c goes down.
  const set: OverrideSet = { servers: [ov('a', 'depooled'), ov('b', 'drained')], instance: null };
  const eff = effectivePool('web', 0.5, [m('a', true), m('b', true), m('c', false), m('d', true)], set);
  t.same([...eff].map(([h, e]) => `${h}:${e.inIpvs ? e.weight : 'out'}${e.kept ? ' kept' : ''}`), ['a:out', 'b:0', 'c:10 kept', 'd:10']);
  const noOverride = effectivePool('web', 0.5, [m('a', true), m('c', false)], { servers: [ov('x', 'depooled')], instance: null });
  t.same([...noOverride.values()].map((e) => e.inIpvs), [true, false], 'no override in the pool: health alone decides');
  const pools = [{ name: 'web', depoolThreshold: 0.5, pooledDown: [], servers: [m('a', true), m('b', true), m('c', false), m('d', true)].map((x) => ({ ...x, ip: '10.0.0.1' })) }] as unknown as PoolStatus[];
  const [p] = overlayPools(pools, set);
  t.same(p!.pooledDown, ['c'], '/alerts names it as marked down but pooled');
  t.match(p!.servers[2], { host: 'c', pooled: true, pooledDown: true });
});

t.test('status shows what IPVS holds and the override', async (t) => {
  const srv = { host: 'a', ip: '10.0.0.1', port: 80, weight: 10, enabled: true, ready: true, up: true, partiallyUp: true, pooled: true, pooledDown: false, monitors: [] };
  const pools = [{ name: 'web', depoolThreshold: 0, pooledDown: [], servers: [srv, { ...srv, host: 'b' }] }] as unknown as PoolStatus[];
  t.equal(overlayPools(pools, NO_OVERRIDES), pools);
  const o = ov('a', 'depooled');
  const [p] = overlayPools(pools, { servers: [o, ov('b', 'drained')], instance: null });
  t.match(p!.servers[0], { pooled: false, weight: 10, override: o });
  t.match(p!.servers[1], { pooled: true, weight: 0, override: { state: 'drained' } });
});

t.test('the VIP policy sees depooled and drained servers as not serving', async (t) => {
  const st = (host: string): ServerState => ({ host, weight: 10, enabled: true, ready: true, resolving: false, ip: '10.0.0.1', up: true, pooled: true, monitors: new Map() });
  const pool = { threshold: 0, servers: new Map([['a', st('a')], ['b', st('b')]]), pooledDown: new Set<string>() };
  t.equal(poolForVips('web', pool, NO_OVERRIDES), pool);
  const set: OverrideSet = { servers: [ov('a', 'depooled'), ov('b', 'drained')], instance: null };
  t.match(serviceHealth('web', poolForVips('web', pool, set), true), { servers: 2, up: 2, pooled: 0, pooledUp: 0 });
  t.match(serviceHealth('web', pool, true), { pooled: 2 }, 'the coordinator\'s own pool is untouched');
});
