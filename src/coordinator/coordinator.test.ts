import t from 'tap';
import { recordingIpvs } from '../../test/support/recording-ipvs.js';
import { FakeClock } from '../../test/support/fake-clock.js';
import { silentLogger } from '../log/logger.js';
import { Coordinator } from './coordinator.js';
import type { DesiredService, HealthTarget, Route, RouteSpec, ServiceSpec } from './types.js';

const route: RouteSpec = {
  nextHopV4: '192.0.2.10', med: 10, withdrawPolicy: 'all-down', communities: [], largeCommunities: [], asPathPrepend: 0,
};
const web: ServiceSpec = {
  name: 'web', ip: '10.2.1.1', port: 80, protocol: 'tcp', depoolThreshold: 0.5, monitors: ['ProxyFetch', 'IdleConnection'], bgp: true,
};
const https: ServiceSpec = { ...web, name: 'https', port: 443, monitors: ['ProxyFetch'] };
const srv = (host: string, o: { weight?: number; enabled?: boolean } = {}) => ({ host, weight: o.weight ?? 10, enabled: o.enabled ?? true });

function setup(opts: { dns?: Record<string, string[]>; resolveIntervalMs?: number } = {}) {
  const clock = new FakeClock();
  const started: HealthTarget[] = [];
  const stopped: string[] = [];
  const { port: ipvs, tables } = recordingIpvs();
  const adverts: Route[][] = [];
  const dns = opts.dns ?? {};
  const c = new Coordinator({
    clock, log: silentLogger,
    health: { start: (tg) => started.push(tg), stop: (svc, host) => stopped.push(`${svc}/${host}`) },
    ipvs,
    speaker: { setAdvertised: (r) => adverts.push(r) },
    resolver: async (host) => { const a = dns[host]; if (!a) throw new Error('NXDOMAIN'); return a; },
    resolveIntervalMs: opts.resolveIntervalMs ?? 0,
  });
  const pooled = (svc = 'web') => (tables.at(-1)?.find((d) => d.service === svc)?.realServers ?? []).map((r) => r.host);
  // Results are published once per tick (a 0 ms timer): the helpers end the tick.
  const up = (svc: string, host: string, monitors: string[]) => { for (const m of monitors) c.monitorResult(svc, host, m, { up: true, reason: 'ok' }); clock.advance(0); };
  const down = (svc: string, host: string, m = 'ProxyFetch') => { c.monitorResult(svc, host, m, { up: false, reason: 'Connection refused' }); clock.advance(0); };
  return { c, clock, started, stopped, tables, adverts, pooled, up, down, dns };
}

t.test('pool list → resolution → optimistic pool → IPVS table; VIP waits for the first round', async (t) => {
  const h = setup({ dns: { be1: ['10.0.0.1'], be2: ['10.0.0.2'] } });
  h.c.configure([web], route);
  await h.c.updatePool('web', [srv('be1'), srv('be2'), srv('10.0.0.3')]);
  t.same(h.started.map((s) => `${s.host}@${s.ip}:${s.port}`), ['be1@10.0.0.1:80', 'be2@10.0.0.2:80', '10.0.0.3@10.0.0.3:80']);
  t.same(h.pooled(), ['be1', 'be2', '10.0.0.3'], 'PyBal starts servers optimistic');
  t.same(h.tables.at(-1)![0]!.realServers[0], { host: 'be1', ip: '10.0.0.1', port: 80, weight: 10 });
  t.same(h.adverts, [], 'no VIP before the first health round');
  t.match(h.c.status().vips[0]!.reason, /waiting for the first health round of web/);
  for (const b of ['be1', 'be2']) h.up('web', b, web.monitors);
  t.same(h.adverts, [], 'one server still has no result');
  h.down('web', '10.0.0.3');
  h.c.monitorResult('web', '10.0.0.3', 'IdleConnection', { up: true, reason: '' });
  h.clock.advance(0);
  t.same(h.adverts.at(-1)!.map((r) => [r.prefix, r.med]), [['10.2.1.1/32', 10]]);
  t.same(h.pooled(), ['be1', 'be2']);
});

t.test('kill backends one by one: depool to the threshold, pooled-but-down + critical alert, withdraw, come back', async (t) => {
  const h = setup();
  h.c.configure([web], route);
  await h.c.updatePool('web', [srv('10.0.0.1'), srv('10.0.0.2'), srv('10.0.0.3')]);
  for (const ip of ['10.0.0.1', '10.0.0.2', '10.0.0.3']) h.up('web', ip, web.monitors);
  t.equal(h.adverts.at(-1)!.length, 1);
  h.down('web', '10.0.0.1');
  t.same(h.pooled(), ['10.0.0.2', '10.0.0.3'], '2 ≥ 1.5: depooled');
  h.down('web', '10.0.0.2');
  t.same(h.pooled(), ['10.0.0.2', '10.0.0.3'], '1 < 1.5: kept pooled though down');
  t.same(h.c.alertSummary(), { status: 'critical', msg: 'web: Servers 10.0.0.2 are marked down but pooled' });
  t.equal(h.adverts.at(-1)!.length, 1, 'one pooled server still up');
  h.down('web', '10.0.0.3');
  t.same(h.adverts.at(-1), [], 'last one down: VIP withdrawn');
  t.match(h.c.status().vips[0]!.reason, /no pooled server is up/);
  t.equal(h.c.status().pools[0]!.couldNotDepoolTotal, 2);
  h.up('web', '10.0.0.1', ['ProxyFetch']);
  t.same(h.pooled(), ['10.0.0.1', '10.0.0.2', '10.0.0.3'], 'be1 repooled; 1 < 1.5 so the others stay');
  t.equal(h.adverts.at(-1)!.length, 1, 're-announced');
  h.up('web', '10.0.0.2', ['ProxyFetch']);
  t.same(h.pooled(), ['10.0.0.1', '10.0.0.2'], '2 up ≥ 1.5: pooled-down 10.0.0.3 depooled');
  t.same(h.c.alertSummary().status, 'ok');
});

t.test('two services on one VIP: announced while either serves', async (t) => {
  const h = setup();
  h.c.configure([web, https], route);
  await h.c.updatePool('web', [srv('10.0.0.1')]);
  await h.c.updatePool('https', [srv('10.0.0.1')]);
  h.up('web', '10.0.0.1', web.monitors);
  t.same(h.adverts, [], 'https has not finished its first round');
  h.up('https', '10.0.0.1', https.monitors);
  t.equal(h.adverts.at(-1)!.length, 1);
  h.down('web', '10.0.0.1');
  t.equal(h.adverts.at(-1)!.length, 1, 'https still serves');
  h.down('https', '10.0.0.1');
  t.same(h.adverts.at(-1), []);
});

t.test('pool edits: disable, weight 0 drain, removal and addition reach the table', async (t) => {
  const h = setup();
  h.c.configure([{ ...web, poolRemovalHoldMs: 0 }], route); // 2 of 3 go at once: no removal hold here (removal-holds.test.ts)
  await h.c.updatePool('web', [srv('10.0.0.1'), srv('10.0.0.2'), srv('10.0.0.3')]);
  await h.c.updatePool('web', [srv('10.0.0.1', { enabled: false }), srv('10.0.0.2', { weight: 0 }), srv('10.0.0.4')]);
  const rs = h.tables.at(-1)![0]!.realServers;
  t.same(rs.map((r) => [r.host, r.weight]), [['10.0.0.2', 0], ['10.0.0.4', 10]]);
  t.ok(h.stopped.includes('web/10.0.0.3'), 'monitors of the removed server stopped');
});

t.test('reload as a difference: a new service is added, the untouched one keeps its state and monitors', async (t) => {
  const h = setup();
  h.c.configure([web], route);
  await h.c.updatePool('web', [srv('10.0.0.1')]);
  h.up('web', '10.0.0.1', web.monitors);
  const advertsBefore = h.adverts.length;
  const startsBefore = h.started.length;
  h.c.configure([web, { ...https, ip: '10.2.1.2' }], route);
  t.equal(h.started.length, startsBefore, 'web monitors not restarted');
  t.same(h.stopped, []);
  t.equal(h.adverts.length, advertsBefore, 'routes unchanged until the new service has a first round');
  await h.c.updatePool('https', [srv('10.0.0.5')]);
  h.up('https', '10.0.0.5', https.monitors);
  t.same(h.adverts.at(-1)!.map((r) => r.prefix), ['10.2.1.1/32', '10.2.1.2/32']);
  h.c.configure([{ ...web, monitors: ['ProxyFetch'] }], route);
  t.same(h.stopped.sort(), ['https/10.0.0.5', 'web/10.0.0.1'], 'https removed; web restarted for its new monitor list');
  t.same(h.adverts.at(-1)!.map((r) => r.prefix), ['10.2.1.1/32'], 'a VIP that passed its first round stays settled');
});

t.test('failed resolution is retried; an address change restarts the monitors', async (t) => {
  const h = setup({ dns: { be1: ['10.0.0.1'] }, resolveIntervalMs: 0 }); // reresolve() by hand below
  h.c.configure([web], route);
  h.c.start();
  await h.c.updatePool('web', [srv('be1'), srv('be2')]);
  t.same(h.pooled(), ['be1']);
  t.equal(h.c.status().pools[0]!.servers[1]!.ready, false);
  h.dns.be2 = ['10.0.0.2'];
  h.dns.be1 = ['10.0.0.9'];
  h.clock.advance(30_000); // past the negative cache of be2's failure
  await h.c.reresolve();
  t.same(h.started.map((s) => `${s.host}@${s.ip}`).sort(), ['be1@10.0.0.1', 'be1@10.0.0.9', 'be2@10.0.0.2']);
  t.same(h.tables.at(-1)![0]!.realServers.map((r) => r.ip).sort(), ['10.0.0.2', '10.0.0.9']);
  h.c.stop();
});

t.test('re-resolution runs on the injected clock', async (t) => {
  const h = setup({ dns: {}, resolveIntervalMs: 30_000 });
  h.c.configure([web], route);
  h.c.start();
  await h.c.updatePool('web', [srv('be1')]);
  t.equal(h.started.length, 0);
  h.dns.be1 = ['10.0.0.1'];
  h.clock.advance(30_000);
  for (let i = 0; i < 10 && h.started.length === 0; i++) await new Promise((r) => setImmediate(r));
  t.same(h.started.map((s) => s.ip), ['10.0.0.1']);
  h.c.stop();
  t.equal(h.clock.pendingCount, 0, 'stop cancels the timer');
});

t.test('an IPv4 literal in an IPv6 service is not ready (wrong family), with no crash', async (t) => {
  const h = setup();
  h.c.configure([{ ...web, ip: '2001:db8::1' }], { ...route, nextHopV6: '2001:db8::10' });
  await h.c.updatePool('web', [srv('10.0.0.1'), srv('2001:db8::5')]);
  t.same(h.pooled(), ['2001:db8::5']);
});

t.test('a VIP removed by a reload and added back waits for its first round again', async (t) => {
  const h = setup();
  h.c.configure([web], route);
  await h.c.updatePool('web', [srv('10.0.0.1')]);
  h.up('web', '10.0.0.1', web.monitors);
  t.equal(h.adverts.at(-1)!.length, 1);
  h.c.configure([], route);
  t.same(h.adverts.at(-1), []);
  h.c.configure([web], route);
  await h.c.updatePool('web', [srv('10.0.0.1')]);
  t.same(h.adverts.at(-1), [], 'not announced on optimism alone');
  h.up('web', '10.0.0.1', web.monitors);
  t.equal(h.adverts.at(-1)!.length, 1);
});

t.test('bgp-first-round-wait: a VIP waits for its first health round at most that long, then goes on what is known', async (t) => {
  const h = setup();
  const reason = () => h.c.status().vips[0]!.reason;
  h.c.configure([web], { ...route, firstRoundWaitMs: 5000 });
  await h.c.updatePool('web', [srv('10.0.0.1'), srv('10.0.0.2')]);
  h.up('web', '10.0.0.1', web.monitors); // 10.0.0.2's checks are slow (e.g. runcommand.interval = 60)
  h.clock.advance(4999);
  t.same(h.adverts, [], 'not before the wait is over');
  t.match(reason(), /waiting for the first health round of web/);
  h.clock.advance(1);
  t.same(h.adverts.at(-1)!.map((r) => r.prefix), ['10.2.1.1/32'], 'announced when the wait ends, without a new event');
  t.match(reason(), /^web serving; first health round of web still running \(bgp-first-round-wait over\)$/);
  h.up('web', '10.0.0.2', web.monitors);
  t.equal(reason(), 'web serving', 'the note goes once the round completes');

  const none = setup();
  none.c.configure([web], route);
  await none.c.updatePool('web', [srv('10.0.0.1')]);
  none.clock.advance(3_600_000);
  t.same(none.adverts, [], 'without the bound, the VIP waits for the round however long it takes');

  const down = setup();
  down.c.configure([web], { ...route, firstRoundWaitMs: 1000 });
  await down.c.updatePool('web', [srv('10.0.0.1'), srv('10.0.0.2')]);
  down.down('web', '10.0.0.1');
  down.down('web', '10.0.0.2');
  down.clock.advance(1000);
  t.same(down.adverts, [], 'what is known can be "every server down": still not announced');
  t.match(down.c.status().vips[0]!.reason, /no pooled server is up/);
});

t.test('the first round completes on the last first result even when it leaves the server partially up', async (t) => {
  const h = setup();
  h.c.configure([web], route);
  await h.c.updatePool('web', [srv('10.0.0.1'), srv('10.0.0.2')]);
  h.up('web', '10.0.0.1', web.monitors);
  h.down('web', '10.0.0.2', 'ProxyFetch');
  t.notOk(h.c.status().pools[0]!.firstRoundDone, 'IdleConnection of 10.0.0.2 has no result yet');
  h.c.monitorResult('web', '10.0.0.2', 'IdleConnection', { up: true, reason: 'ok' }); // partially up: no pool change
  h.clock.advance(0);
  t.same(h.adverts.at(-1)!.map((r) => r.prefix), ['10.2.1.1/32'], 'announced at the end of the tick, without a status read');
  t.ok(h.c.status().pools[0]!.firstRoundDone);
});

t.test('results in one tick are published together, by the end of the tick', async (t) => {
  const h = setup();
  h.c.configure([web], route);
  await h.c.updatePool('web', [srv('10.0.0.1'), srv('10.0.0.2'), srv('10.0.0.3'), srv('10.0.0.4')]);
  for (const ip of ['10.0.0.1', '10.0.0.2', '10.0.0.3', '10.0.0.4']) h.up('web', ip, web.monitors);
  const before = h.tables.length;
  h.c.monitorResult('web', '10.0.0.1', 'ProxyFetch', { up: false, reason: 'refused' });
  h.c.monitorResult('web', '10.0.0.2', 'ProxyFetch', { up: false, reason: 'refused' });
  t.equal(h.tables.length, before, 'nothing published inside the tick');
  h.clock.advance(0);
  t.equal(h.tables.length, before + 1, 'one IPVS batch for both');
  t.same(h.pooled(), ['10.0.0.3', '10.0.0.4']);
  for (const ip of ['10.0.0.3', '10.0.0.4']) h.c.monitorResult('web', ip, 'ProxyFetch', { up: false, reason: 'refused' });
  h.clock.advance(0);
  t.same(h.adverts.at(-1), [], 'the withdrawal went out at the end of that same tick');
});
