import t, { type Test } from 'tap';
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { spawnSync } from 'node:child_process';
import { connect } from 'node:net';
import { rawGet, rawRequest } from '../../test/support/raw-http.js';
import type { Logger } from '../log/logger.js';
import type { CoordinatorStatus } from '../coordinator/status.js';
import { startApiServer, type ApiLimits } from './server.js';
import type { StatusSource } from './types.js';

const SECRET_URL = 'http://user:pass@127.0.0.1:1/pool?token=s3cr3t';

function capture(): { log: Logger; lines: string[] } {
  const lines: string[] = [];
  const log: Logger = {
    debug: (m) => lines.push(`debug ${m}`), info: (m) => lines.push(`info ${m}`),
    warn: (m) => lines.push(`warn ${m}`), error: (m) => lines.push(`error ${m}`), child: () => log,
  };
  return { log, lines };
}

function status(): CoordinatorStatus {
  const server = (host: string) => ({
    host, ip: host, port: 80, weight: 10, enabled: true, ready: true, up: true, partiallyUp: true, pooled: true, pooledDown: false,
    monitors: [{ name: 'ProxyFetch', up: true, reason: `ok from ${SECRET_URL}`, since: 0, durationMs: 1, upTransitions: 1, downTransitions: 0, upResults: 1, downResults: 0 }],
  });
  const pool = (name: string) => ({
    name, ip: '10.2.1.1', port: 80, protocol: 'tcp' as const, depoolThreshold: 0.5, canDepool: true, delivered: true, firstRoundDone: true,
    servers: [server('10.0.0.1')], pooledDown: [], couldNotDepoolTotal: 0,
  });
  return { pools: [pool('web'), pool('api')], vips: [], alerts: [{ level: 'warning', source: 'pool web', message: `cannot fetch ${SECRET_URL} (HTTP 500)` }] };
}

async function fixture(t: Test, opts: { limits?: Partial<ApiLimits>; actions?: StatusSource['actions'] } = {}) {
  const { log, lines } = capture();
  const limitHits: string[] = [];
  let calls = 0;
  const source: StatusSource = {
    coordinator: () => { calls++; return status(); },
    bgp: () => ({ enabled: false, localAs: null, peers: [] }),
    ipvs: () => ({ driver: `dry-run ${SECRET_URL}`, repairsTotal: 0, appliesTotal: 1, errorsTotal: 0, lastError: SECRET_URL }),
    startedAt: 0, now: () => 0, ...(opts.actions ? { actions: opts.actions } : {}),
  };
  const api = await startApiServer({
    source, hosts: ['127.0.0.1'], port: 0, log, onLimitHit: (m) => limitHits.push(m), ...(opts.limits ? { limits: opts.limits } : {}),
  });
  t.teardown(() => api.close());
  const port = Number(api.addresses[0]!.split(':').pop());
  return { api, port, lines, limitHits, calls: () => calls };
}

t.test('POST /pools/<service>/confirm-removal calls the action: 200 ok, 409 refused, 404 unknown, 405 other methods', async (t) => {
  const asked: string[] = [];
  const { port } = await fixture(t, {
    actions: {
      confirmPoolRemoval: (s) => {
        asked.push(s);
        return s === 'web' ? { ok: true, message: 'web: removal of 3 servers applied' } : { ok: false, message: `${s}: no removal is held` };
      },
    },
  });
  const post = (path: string, accept = 'text/plain') => fetch(`http://127.0.0.1:${port}${path}`, { method: 'POST', headers: { accept } });
  const ok = await post('/pools/web/confirm-removal');
  t.same([ok.status, await ok.text()], [200, 'web: removal of 3 servers applied\n']);
  const refused = await post('/pools/api/confirm-removal', 'application/json');
  t.same([refused.status, await refused.json()], [409, { ok: false, message: 'api: no removal is held' }]);
  t.equal((await post('/pools/nope/confirm-removal')).status, 404);
  const get = await fetch(`http://127.0.0.1:${port}/pools/web/confirm-removal`);
  t.same([get.status, get.headers.get('allow')], [405, 'POST']);
  t.equal((await post('/pools')).status, 405, 'other paths still refuse POST');
  t.same(asked, ['web', 'api'], 'unknown services and wrong methods never reach the action');
});

t.test('confirm-removal without an action in this vipd is 501', async (t) => {
  const { port } = await fixture(t);
  t.equal((await fetch(`http://127.0.0.1:${port}/pools/web/confirm-removal`, { method: 'POST' })).status, 501);
});

t.test('no endpoint shows URL credentials or query values', async (t) => {
  const { port } = await fixture(t);
  for (const path of ['/alerts', '/pools', '/pools/web', '/vips', '/bgp', '/metrics']) {
    for (const accept of ['text/plain', 'application/json']) {
      const r = await fetch(`http://127.0.0.1:${port}${path}`, { headers: { accept } });
      const body = await r.text();
      t.equal(r.status, 200, path);
      t.notMatch(body, /user:pass|s3cr3t/, `${path} ${accept}`);
    }
  }
  const alerts = await (await fetch(`http://127.0.0.1:${port}/alerts`)).text();
  t.equal(alerts, 'WARNING - pool web: cannot fetch http://***@127.0.0.1:1/pool?token=*** (HTTP 500). ');
  t.match(await (await fetch(`http://127.0.0.1:${port}/metrics`)).text(), 'driver="dry-run http://***@127.0.0.1:1/pool?token=***"');
});

t.test('a flood of concurrent requests costs the main thread a bounded number of snapshots', async (t) => {
  const { port, calls } = await fixture(t, { limits: { maxConnections: 5000, ratePerClient: 1e6, rateBurst: 1e6 } });
  const started = performance.now();
  const answers = await Promise.all(Array.from({ length: 2000 }, () => rawGet('127.0.0.1', port, '/pools')));
  const seconds = (performance.now() - started) / 1000;
  t.equal(answers.filter((a) => a?.status === 200 && a.body === 'web\napi\n').length, 2000, 'every request answered from a snapshot');
  t.ok(calls() <= 5 + Math.ceil(seconds * 5) + 1, `${calls()} snapshots for 2000 requests in ${seconds.toFixed(1)} s`);
});

t.test('limits: per-client rate (429), connections, header and body size; each logged once naming the client', async (t) => {
  const { port, lines, limitHits } = await fixture(t, { limits: { ratePerClient: 1, rateBurst: 5, maxConnections: 3 } });
  const codes: number[] = [];
  for (let i = 0; i < 10; i++) codes.push((await rawGet('127.0.0.1', port, '/pools'))?.status ?? 0);
  t.same(codes.slice(0, 5), [200, 200, 200, 200, 200]);
  t.ok(codes.slice(5).every((c) => c === 429), codes.join(' '));
  const held = await Promise.all([1, 2, 3].map(() => new Promise<ReturnType<typeof connect>>((r) => {
    const s = connect(port, '127.0.0.1', () => r(s));
    s.on('error', () => {});
  })));
  t.teardown(() => { for (const s of held) s.destroy(); });
  await new Promise((r) => setTimeout(r, 100));
  t.equal(await rawGet('127.0.0.1', port, '/pools'), null, 'a connection beyond the limit is closed without an answer');
  for (const s of held) s.destroy();
  await new Promise((r) => setTimeout(r, 1500));
  const big = await rawGet('127.0.0.1', port, '/pools', `x-big: ${'a'.repeat(20_000)}\r\n`);
  t.equal(big?.status, 431, 'oversized headers');
  const body = await rawRequest('127.0.0.1', port, 'POST /pools/web/confirm-removal HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-length: 5000\r\n\r\n');
  t.equal(body?.status, 413, 'oversized body');
  const warns = lines.filter((l) => l.startsWith('warn '));
  t.equal(warns.filter((l) => l.includes('request rate limit hit by 127.0.0.1')).length, 1, warns.join('\n'));
  t.equal(warns.filter((l) => l.includes('connection limit hit by 127.0.0.1')).length, 1, warns.join('\n'));
  t.equal(warns.filter((l) => l.includes('header size limit hit by 127.0.0.1')).length, 1, warns.join('\n'));
  t.equal(warns.filter((l) => l.includes('body size limit hit by 127.0.0.1')).length, 1, warns.join('\n'));
  t.same(limitHits, warns.map((l) => l.slice('warn '.length)), 'each logged hit reaches onLimitHit (the daemon alerts on it)');
});

t.test('/metrics exports the main thread event-loop lag as a summary', async (t) => {
  const { port } = await fixture(t);
  const m = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  t.match(m, /^# TYPE vipd_event_loop_lag_seconds summary$/m);
  for (const q of ['0.5', '0.99', '1']) t.match(m, new RegExp(`^vipd_event_loop_lag_seconds\\{quantile="${q}"\\} [0-9.e-]+$`, 'm'));
  t.match(m, /^vipd_event_loop_lag_seconds_sum [0-9.e-]+$/m);
  t.match(m, /^vipd_event_loop_lag_seconds_count \d+\.0$/m);
});

t.test('from dist/: the compiled worker is found, answers, and is terminated on close (the process exits by itself)', async (t) => {
  const script = `
    const { startApiServer } = await import(${JSON.stringify(pathToFileURL(resolve('dist/api/server.js')).href)});
    const log = { debug() {}, info() {}, warn() {}, error() {}, child() { return log; } };
    const api = await startApiServer({ hosts: ['127.0.0.1'], port: 0, log, source: {
      coordinator: () => ({ pools: [], vips: [], alerts: [] }), bgp: () => ({ enabled: false, localAs: null, peers: [] }),
      startedAt: 0, now: () => 0 } });
    const r = await fetch('http://' + api.addresses[0] + '/alerts');
    process.stdout.write(r.status + ' ' + await r.text());
    await api.close();`;
  const file = join(t.testdir(), 'start-close.mjs');
  writeFileSync(file, script);
  const r = spawnSync(process.execPath, [file], { encoding: 'utf8', timeout: 20_000 });
  t.equal(r.signal, null, 'exited by itself: no worker left running');
  t.equal(r.status, 0, r.stderr);
  t.equal(r.stdout, '200 OK - All pools are healthy');
});
