import t from 'tap';
import { recordingIpvs } from '../../test/support/recording-ipvs.js';
import { FakeClock } from '../../test/support/fake-clock.js';
import { createLogger } from '../log/logger.js';
import { Coordinator } from './coordinator.js';
import type { DesiredService, RouteSpec, ServiceSpec } from './types.js';

// The coordinator applies the removal hold (pool-guard.ts) to every pool update after the first.
const route: RouteSpec = { nextHopV4: '192.0.2.10', med: 0, withdrawPolicy: 'all-down', communities: [], largeCommunities: [], asPathPrepend: 0 };
const web: ServiceSpec = { name: 'web', ip: '10.2.1.1', port: 80, protocol: 'tcp', depoolThreshold: 0.5, monitors: ['IdleConnection'], bgp: true };
const api: ServiceSpec = { ...web, name: 'api', port: 8080 };
const srv = (host: string, enabled = true, weight = 10) => ({ host, weight, enabled });
const four = ['10.0.0.1', '10.0.0.2', '10.0.0.3', '10.0.0.4'];

function setup(dns: Record<string, string[]> = {}) {
  const clock = new FakeClock();
  const { port: ipvs, tables } = recordingIpvs();
  const lines: { level: string; msg: string; server?: string }[] = [];
  const log = createLogger({ level: 'debug', json: true, write: (l) => lines.push(JSON.parse(l) as { level: string; msg: string }) });
  const asked: string[] = [];
  const c = new Coordinator({
    clock, log, health: { start: () => {}, stop: () => {} }, ipvs,
    resolver: async (host) => { asked.push(host); const a = dns[host]; if (!a) throw new Error('ENOTFOUND'); return a; },
    resolveIntervalMs: 0,
  });
  const pooled = (svc = 'web') => (tables.at(-1)?.find((d) => d.service === svc)?.realServers ?? []).map((r) => `${r.host}/${r.weight}`);
  const holdAlert = (svc = 'web') => c.status().alerts.find((a) => a.source === `pool-guard ${svc}`);
  return { c, clock, tables, lines, pooled, holdAlert, asked };
}

t.test('removing 3 of 4 is held with an alert, additions apply at once, and it applies after the hold', async (t) => {
  const h = setup();
  h.c.configure([{ ...web, poolRemovalHoldMs: 2000 }, api], route);
  await h.c.updatePool('web', four.map((x) => srv(x)));
  await h.c.updatePool('api', [srv('10.0.1.1')]);
  const apiTable = JSON.stringify(h.tables.at(-1)!.find((d) => d.service === 'api'));
  await h.c.updatePool('web', [srv('10.0.0.1', true, 20), srv('10.0.0.5')]);
  t.same(h.pooled(), ['10.0.0.1/20', '10.0.0.2/10', '10.0.0.3/10', '10.0.0.4/10', '10.0.0.5/10'], 'reweight and addition applied, removals held');
  t.match(h.holdAlert(), { level: 'warning', message: /remove 3 of 4 enabled servers of web \(10\.0\.0\.2, 10\.0\.0\.3, 10\.0\.0\.4\).*POST \/pools\/web\/confirm-removal/ });
  t.equal(h.c.alertSummary().status, 'warning');
  h.clock.advance(1999);
  t.equal(h.pooled().length, 5, 'still held');
  h.clock.advance(1);
  await new Promise((r) => setImmediate(r));
  t.same(h.pooled(), ['10.0.0.1/20', '10.0.0.5/10'], 'applied once the hold passed');
  t.equal(h.holdAlert(), undefined, 'alert cleared');
  t.ok(h.lines.some((l) => /held pool update applied \(it persisted for 2 s\)/.test(l.msg)));
  t.equal(JSON.stringify(h.tables.at(-1)!.find((d) => d.service === 'api')), apiTable, 'api untouched throughout');
});

t.test('a glitch that comes back before the hold ends changes nothing; a mass disable is held too', async (t) => {
  const h = setup();
  h.c.configure([web], route);
  await h.c.updatePool('web', four.map((x) => srv(x)));
  const before = h.tables.length;
  await h.c.updatePool('web', []);
  t.equal(h.tables.length, before, 'an emptied list is held: no IPVS change at all');
  t.match(h.holdAlert()?.message, 'it would empty the pool');
  await h.c.updatePool('web', four.map((x) => srv(x)));
  t.equal(h.holdAlert(), undefined, 'the list came back: hold withdrawn');
  t.equal(h.clock.pendingCount, 0, 'its timer cancelled');
  await h.c.updatePool('web', four.map((x) => srv(x, false)));
  t.equal(h.pooled().length, 4, 'disabling all four is held');
  h.clock.advance(30_000);
  await h.c.updatePool('web', [srv('10.0.0.1', false)]);
  t.equal(h.pooled().length, 4, 'a still-removing update keeps the hold');
  h.clock.advance(30_000);
  await new Promise((r) => setImmediate(r));
  t.same(h.pooled(), [], '60 s after the hold began, the latest list applies');
});

t.test('confirmPoolRemoval applies the held update at once; without a hold it says so', async (t) => {
  const h = setup();
  h.c.configure([web], route);
  await h.c.updatePool('web', four.map((x) => srv(x)));
  t.same(h.c.confirmPoolRemoval('web'), { ok: false, message: 'no pool update of web is held' });
  t.same(h.c.confirmPoolRemoval('nope'), { ok: false, message: "no service 'nope'" });
  await h.c.updatePool('web', [srv('10.0.0.4')]);
  t.equal(h.pooled().length, 4);
  t.same(h.c.confirmPoolRemoval('web'), { ok: true, message: 'held pool update of web applied: 3 servers removed' });
  await new Promise((r) => setImmediate(r));
  t.same(h.pooled(), ['10.0.0.4/10']);
  t.equal(h.holdAlert(), undefined);
  t.equal(h.clock.pendingCount, 0, 'the release timer is gone');
});

t.test('small removals apply at once; removing a service ends its hold', async (t) => {
  const h = setup();
  h.c.configure([web], route);
  await h.c.updatePool('web', four.map((x) => srv(x)));
  await h.c.updatePool('web', four.slice(0, 2).map((x) => srv(x)));
  t.equal(h.pooled().length, 2, 'half of the pool may go at once');
  await h.c.updatePool('web', []);
  t.ok(h.holdAlert());
  h.c.configure([], route);
  t.equal(h.holdAlert(), undefined);
  t.equal(h.clock.pendingCount, 0);
});
