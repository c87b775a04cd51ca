import t, { type Test } from 'tap';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeClock } from '../../../test/support/fake-clock.js';
import { rawRequest } from '../../../test/support/raw-http.js';
import { startApiServer } from '../../api/server.js';
import type { GlobalConfig } from '../../config/index.js';
import { Coordinator } from '../../coordinator/coordinator.js';
import type { DesiredService, Route, RouteSpec, ServiceSpec } from '../../coordinator/types.js';
import type { Logger } from '../../log/logger.js';
import { OverrideControl } from './override-control.js';

const TOKEN = 'alice-token-0123456789';
const settle = () => new Promise((r) => setTimeout(r, 300));
const route: RouteSpec = { nextHopV4: '192.0.2.10', med: 0, withdrawPolicy: 'all-down', communities: [], largeCommunities: [], asPathPrepend: 0 };
const web: ServiceSpec = { name: 'web', ip: '10.2.1.1', port: 80, protocol: 'tcp', depoolThreshold: 0.6, monitors: ['ProxyFetch'], bgp: true };
const HOSTS = ['10.0.0.1', '10.0.0.2', '10.0.0.3', '10.0.0.4'];

function capture(): { log: Logger; lines: string[] } {
  const lines: string[] = [];
  const log: Logger = {
    debug: () => {}, info: (m) => lines.push(`info ${m}`), warn: (m) => lines.push(`warn ${m}`), error: (m) => lines.push(`error ${m}`), child: () => log,
  };
  return { log, lines };
}

/** A coordinator with web's four servers up, its control loaded from `dir`, before or after the pool arrives. */
async function balancer(dir: string, clock: FakeClock, g: Partial<GlobalConfig> = {}) {
  const { log, lines } = capture();
  const tables: DesiredService[][] = [];
  const adverts: Route[][] = [];
  const c = new Coordinator({
    clock, log, health: { start: () => {}, stop: () => {} }, ipvs: { apply: (d) => tables.push(d) },
    speaker: { setAdvertised: (r) => adverts.push(r) }, resolver: async () => [], resolveIntervalMs: 0,
  });
  const global = { adminTokenFile: join(dir, 'tokens'), bgp: true, bgpPeers: [], ...g } as unknown as GlobalConfig;
  const ctl = new OverrideControl({ clock, log, coordinator: c, global: () => global, stateFile: join(dir, 'state.json') });
  ctl.load(); // as the daemon does: before the first IPVS batch
  c.configure([web], { ...route, firstRoundWaitMs: 0 });
  await c.updatePool('web', HOSTS.map((host) => ({ host, weight: 10, enabled: true })));
  for (const h of HOSTS) c.monitorResult('web', h, 'ProxyFetch', { up: true, reason: 'ok' });
  const inIpvs = () => (tables.at(-1)?.[0]?.realServers ?? []).map((r) => `${r.host}:${r.weight}`);
  return { c, ctl, lines, tables, adverts, inIpvs };
}

function tempDir(t: Test): string {
  const dir = mkdtempSync(join(tmpdir(), 'vipd-overrides-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'tokens'), `# operators\nalice:${TOKEN}\n`, { mode: 0o600 });
  return dir;
}

t.test('the API: auth, validation, threshold, depool/drain/repool, visibility, expiry (worker in process)', async (t) => {
  const dir = tempDir(t);
  const clock = new FakeClock(Date.parse('2026-12-06T10:00:00Z'));
  const b = await balancer(dir, clock);
  const api = await startApiServer({
    source: {
      coordinator: () => b.c.status(), bgp: () => ({ enabled: false, localAs: null, peers: [] }), startedAt: 0, now: () => clock.wallNow(),
      actions: { confirmPoolRemoval: () => ({ ok: false, message: 'no' }), override: (w) => b.ctl.write(w) },
    },
    hosts: ['127.0.0.1'], port: 0, log: capture().log, hostnames: ['lvs1001.example.org'],
  });
  t.teardown(() => api.close());
  const base = `http://${api.addresses[0]}`;
  const call = async (method: string, path: string, body?: unknown, token: string | null = TOKEN) => {
    const res = await fetch(base + path, {
      method, headers: { accept: 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
    });
    return { status: res.status, body: await res.json() as Record<string, unknown>, headers: res.headers };
  };
  const depool = { state: 'depooled', reason: 'disk swap T1' };
  t.same(b.inIpvs(), HOSTS.map((h) => `${h}:10`));

  const noAuth = await call('PUT', '/overrides/web/10.0.0.1', depool, null);
  t.equal(noAuth.status, 401);
  t.equal(noAuth.headers.get('www-authenticate'), 'Bearer realm="vipd"');
  t.equal((await call('PUT', '/overrides/web/10.0.0.1', depool, 'not-the-token-0123456789')).status, 403);
  t.notOk(existsSync(join(dir, 'state.json')), 'nothing written on refusal');
  t.same(b.inIpvs(), HOSTS.map((h) => `${h}:10`), 'nothing changed on refusal');

  const evil = await rawRequest('127.0.0.1', Number(api.addresses[0]!.split(':').pop()), 'GET /overrides HTTP/1.1\r\nhost: rebind.attacker.example:9090\r\nconnection: close\r\n\r\n');
  t.equal(evil?.status, 421, 'a foreign Host is refused (DNS rebinding)');
  const named = await rawRequest('127.0.0.1', Number(api.addresses[0]!.split(':').pop()), 'GET /alerts HTTP/1.1\r\nhost: LVS1001.example.org.:9090\r\nconnection: close\r\n\r\n');
  t.equal(named?.status, 200, 'a configured name is accepted');

  t.match(await call('PUT', '/overrides/web/10.0.0.1', '{"state":'), { status: 400, body: { field: 'body' } });
  t.match(await call('PUT', '/overrides/web/10.0.0.1', { state: 'gone', reason: 'x' }), { status: 400, body: { field: 'state', error: /^state: / } });
  t.match(await call('PUT', '/overrides/nope/10.0.0.1', depool), { status: 404, body: { error: "no pool 'nope'" } });
  t.match(await call('PUT', '/overrides/web/10.9.9.9', depool), { status: 404, body: { error: "no server '10.9.9.9' in pool 'web'" } });
  t.equal((await call('POST', '/overrides/web/10.0.0.1', depool)).status, 405);

  const put = await call('PUT', '/overrides/web/10.0.0.1', depool);
  t.match(put, { status: 200, body: { pool: 'web', host: '10.0.0.1', state: 'depooled', reason: 'disk swap T1', author: 'alice', since: '2026-12-06T10:00:00.000Z', expires: null, forced: false } });
  t.same(b.inIpvs(), ['10.0.0.2:10', '10.0.0.3:10', '10.0.0.4:10'], 'depooled: out of IPVS');
  t.match(JSON.parse(readFileSync(join(dir, 'state.json'), 'utf8')), { version: 1, overrides: { servers: [{ host: '10.0.0.1', state: 'depooled' }], instance: null } });
  t.ok(b.lines.some((l) => /^warn override: web\/10.0.0.1 depooled by alice since .*: disk swap T1$/.test(l)), 'logged with author and reason');

  const drain = { state: 'drained', reason: 'kernel upgrade' };
  const refused = await call('PUT', '/overrides/web/10.0.0.2', drain);
  t.match(refused, { status: 409, body: { error: /would leave 2 of 4 servers of web serving, below its depool-threshold 0.6 \(3 needed\)/ } });
  t.same(b.inIpvs(), ['10.0.0.2:10', '10.0.0.3:10', '10.0.0.4:10'], '409 changes nothing');
  t.match(await call('PUT', '/overrides/web/10.0.0.2', { ...drain, force: true }), { status: 200, body: { state: 'drained', forced: true } });
  t.same(b.inIpvs(), ['10.0.0.2:0', '10.0.0.3:10', '10.0.0.4:10'], 'drained: weight 0');
  t.ok(b.lines.some((l) => /FORCED past the depool threshold/.test(l)), 'a forced depool is audited');

  // Visibility: /overrides, /pools, /alerts, /metrics.
  const list = await call('GET', '/overrides');
  t.match(list.body, { servers: [{ host: '10.0.0.1' }, { host: '10.0.0.2' }], instance: null });
  const text = await (await fetch(`${base}/overrides`)).text();
  t.match(text, /^web\/10.0.0.1 depooled by alice since 2026-12-06T10:00:00.000Z: disk swap T1\nweb\/10.0.0.2 drained \(forced\) by alice/);
  t.match(await (await fetch(`${base}/pools/web`)).text(), /10.0.0.1:\tenabled\/up\/not pooled\t\[depooled by alice: disk swap T1\]\n/);
  t.match((await call('GET', '/pools/web')).body, { '10.0.0.1': { pooled: false, override: { state: 'depooled' } }, '10.0.0.2': { weight: 0 } });
  t.match(await (await fetch(`${base}/alerts`)).text(), /^WARNING - .*overrides: 2 overrides in force: web\/10.0.0.1 depooled/);
  const metrics = await (await fetch(`${base}/metrics`)).text();
  t.match(metrics, /vipd_overrides\{pool="web",server="10.0.0.1",state="depooled"\} 1.0/);
  t.match(metrics, /vipd_instance_depooled 0.0/);

  t.match(await call('DELETE', '/overrides/web/10.0.0.2'), { status: 200, body: { removed: { state: 'drained' } } });
  t.match(await call('DELETE', '/overrides/web/10.0.0.2'), { status: 200, body: { removed: null } }, 'repool of a server without override: nothing to do');
  t.same(b.inIpvs(), ['10.0.0.2:10', '10.0.0.3:10', '10.0.0.4:10']);

  // The threshold still holds when health depools after the operator did: .3 goes down, but with
  // .1 out only 2 of 4 would serve (2.4 needed), so .3 is kept in, pooled but down.
  b.c.monitorResult('web', '10.0.0.3', 'ProxyFetch', { up: false, reason: 'HTTP 503' });
  t.same(b.inIpvs(), ['10.0.0.2:10', '10.0.0.3:10', '10.0.0.4:10'], 'down, kept in by the threshold');
  await settle(); // not a write: the API's snapshot may be ~200 ms old
  t.match(await (await fetch(`${base}/alerts`)).text(), /^CRITICAL - web: Servers 10.0.0.3 are marked down but pooled/);
  t.match(await call('DELETE', '/overrides/web/10.0.0.1'), { status: 200, body: { removed: { state: 'depooled' } } });
  t.same(b.inIpvs(), ['10.0.0.1:10', '10.0.0.2:10', '10.0.0.4:10'], '.1 back: .3 (down) may leave');

  // pooled pins a down server in, until it expires by itself.
  const expires = new Date(clock.wallNow() + 60_000).toISOString();
  t.match(await call('PUT', '/overrides/web/10.0.0.3', { state: 'pooled', reason: 'debugging', expires }), { status: 200, body: { expires } });
  t.same(b.inIpvs(), ['10.0.0.1:10', '10.0.0.2:10', '10.0.0.3:10', '10.0.0.4:10'], 'pinned in while down');
  clock.advance(60_000);
  t.same(b.inIpvs(), ['10.0.0.1:10', '10.0.0.2:10', '10.0.0.4:10'], 'expired: health decides again');
  await settle();
  t.same((await call('GET', '/overrides')).body, { servers: [], instance: null });
  t.match(await (await fetch(`${base}/alerts`)).text(), /^OK/, 'no override, no warning');
  t.ok(b.lines.some((l) => /^warn override expired: web\/10.0.0.3 pooled/.test(l)));
  t.equal(JSON.parse(readFileSync(join(dir, 'state.json'), 'utf8')).overrides.servers.length, 0, 'the expiry is saved');
  b.ctl.stop();
});

t.test('instance depool: GRACEFUL_SHUTDOWN for the peers\' wait, then withdrawn; repool announces again', async (t) => {
  const dir = tempDir(t);
  const clock = new FakeClock();
  const b = await balancer(dir, clock, { bgpPeers: [{ gracefulShutdownWait: 5 }] as unknown as GlobalConfig['bgpPeers'] });
  const auth = `Bearer ${TOKEN}`;
  t.match(b.adverts.at(-1), [{ prefix: '10.2.1.1/32', communities: [] }]);
  t.match(b.ctl.write({ method: 'PUT', pool: null, host: null, body: { state: 'drained', reason: 'x' }, authorization: auth, client: 'c' }),
    { status: 400, body: { field: 'state' } });
  const r = b.ctl.write({ method: 'PUT', pool: null, host: null, body: { state: 'depooled', reason: 'rack move' }, authorization: auth, client: 'c' });
  t.match(r, { status: 200, body: { state: 'depooled', reason: 'rack move', author: 'alice' } });
  t.match(b.adverts.at(-1), [{ prefix: '10.2.1.1/32', communities: [0xffff0000] }], 'RFC 8326 first');
  t.same(b.inIpvs().length, 4, 'IPVS stays');
  clock.advance(5000);
  t.same(b.adverts.at(-1), [], 'then withdrawn');
  t.match(b.c.status().vips, [{ announced: false, reason: 'instance depooled: rack move' }]);
  t.match(b.c.status().alerts, [{ source: 'overrides', level: 'warning', message: /instance depooled by alice/ }]);
  t.match(b.ctl.write({ method: 'DELETE', pool: null, host: null, body: undefined, authorization: auth, client: 'c' }), { status: 200, body: { removed: { reason: 'rack move' } } });
  t.match(b.adverts.at(-1), [{ prefix: '10.2.1.1/32', communities: [] }], 'announced again');
  t.same(b.c.status().alerts, []);
  b.ctl.stop();
});

t.test('a restart keeps a depool and never re-adds the server, not even for one batch; an instance depool stays withdrawn', async (t) => {
  const dir = tempDir(t);
  const clock = new FakeClock();
  const first = await balancer(dir, clock);
  const auth = `Bearer ${TOKEN}`;
  first.ctl.write({ method: 'PUT', pool: 'web', host: '10.0.0.1', body: { state: 'depooled', reason: 'broken disk' }, authorization: auth, client: 'c' });
  first.ctl.write({ method: 'PUT', pool: null, host: null, body: { state: 'depooled', reason: 'maintenance' }, authorization: auth, client: 'c' });
  first.ctl.stop();
  const second = await balancer(dir, clock);
  t.ok(second.tables.length > 0);
  t.notOk(second.tables.some((tb) => tb.some((s) => s.realServers.some((r) => r.host === '10.0.0.1'))), 'no batch holds the depooled server');
  t.ok(second.adverts.every((a) => a.length === 0), 'no route announced after the restart');
  t.ok(second.lines.some((l) => /^warn 2 overrides loaded from .*state.json/.test(l)));
  second.ctl.stop();
});

t.test('start is refused with a token file others can read, or a broken state file', async (t) => {
  const dir = tempDir(t);
  const load = () => new OverrideControl({
    clock: new FakeClock(), log: capture().log,
    coordinator: { setOverrides: () => {}, status: () => ({ pools: [], vips: [], alerts: [] }), raiseAlert: () => {}, clearAlert: () => {} },
    global: () => ({ adminTokenFile: join(dir, 'tokens') }) as GlobalConfig, stateFile: join(dir, 'state.json'),
  }).load();
  chmodSync(join(dir, 'tokens'), 0o644);
  t.throws(load, /admin-token-file .*tokens: mode 0644 lets group or others read or write it; run chmod 600/);
  chmodSync(join(dir, 'tokens'), 0o600);
  t.doesNotThrow(load);
  writeFileSync(join(dir, 'state.json'), '{"version": 1, "overrides": {"servers": [{"pool": "web", "host": "a", "state": "off"}]}}');
  t.throws(load, /state.json: overrides.servers\[0\]: state must be one of depooled, drained, pooled/);
  writeFileSync(join(dir, 'tokens'), 'bob token\n', { mode: 0o600 });
  rmSync(join(dir, 'state.json'));
  t.throws(load, /tokens:1: expected NAME:TOKEN/);
});
