import t from 'tap';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { createServer } from 'node:net';
import { FakeClock } from '../../../test/support/fake-clock.js';
import { silentLogger } from '../../log/logger.js';
import { Coordinator } from '../../coordinator/coordinator.js';
import { startApiServer } from '../../api/server.js';

const run = promisify(execFile);
const cli = (args: string[]) => run('node', ['dist/cli/main.js', ...args], { timeout: 20_000 })
  .then((r) => ({ code: 0, ...r }), (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }));

t.test('vipd status prints pools (why each down server is down), VIPs (BGP disabled) and BGP from a running instrumentation server', async (t) => {
  const clock = new FakeClock();
  const c = new Coordinator({
    clock, log: silentLogger, resolver: async () => [],
    health: { start: () => {}, stop: () => {} }, ipvs: { apply: () => {} }, speaker: { setAdvertised: () => {} },
  });
  c.configure([{ name: 'web', ip: '10.2.1.1', port: 80, protocol: 'tcp', depoolThreshold: 0.5, monitors: ['ProxyFetch'], bgp: true }],
    { nextHopV4: '192.0.2.10', med: 10, withdrawPolicy: 'all-down', communities: [], largeCommunities: [], asPathPrepend: 0 });
  await c.updatePool('web', ['10.0.0.1', '10.0.0.2'].map((host) => ({ host, weight: 10, enabled: true })));
  c.monitorResult('web', '10.0.0.1', 'ProxyFetch', { up: true, reason: 'ok' });
  c.monitorResult('web', '10.0.0.2', 'ProxyFetch', { up: false, reason: 'refused' });
  const api = await startApiServer({
    source: { coordinator: () => c.status(), bgp: () => ({ enabled: false, localAs: null, peers: [] }), startedAt: 0, now: () => 0 },
    hosts: ['127.0.0.1'], port: 0, log: silentLogger,
  });
  t.teardown(() => api.close());
  const r = await cli(['status', '--url', `http://${api.addresses[0]}/`]);
  t.equal(r.code, 0, r.stderr);
  t.equal(r.stdout, [
    'OK - All pools are healthy',
    '',
    'Pools:',
    '  web   2 servers, 2 enabled, 1 up, 1 pooled',
    '    10.0.0.2 down: ProxyFetch: refused',
    '',
    'Overrides:',
    '  (none)',
    '',
    'VIPs:',
    '  10.2.1.1/32: BGP disabled — web 1/2 up, 1 pooled',
    '',
    'BGP:',
    '  BGP is disabled',
    '',
  ].join('\n'));
});

t.test('vipd status names the URL it could not reach and exits 1', async (t) => {
  const port = await new Promise<number>((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => { const p = (s.address() as { port: number }).port; s.close(() => resolve(p)); });
  });
  const r = await cli(['status', '--url', `http://127.0.0.1:${port}`]);
  t.equal(r.code, 1);
  t.match(r.stderr, new RegExp(`cannot read http://127\\.0\\.0\\.1:${port}`));
  t.match(r.stderr, /ECONNREFUSED/);
});

t.test('vipd status waits out the API request rate limit (429) instead of failing', async (t) => {
  const api = await startApiServer({
    source: {
      coordinator: () => ({ pools: [], vips: [], alerts: [] }), bgp: () => ({ enabled: false, localAs: null, peers: [] }),
      startedAt: 0, now: () => 0,
    },
    hosts: ['127.0.0.1'], port: 0, log: silentLogger, limits: { ratePerClient: 2, rateBurst: 2 },
  });
  t.teardown(() => api.close());
  const r = await cli(['status', '--url', `http://${api.addresses[0]}`]);
  t.equal(r.code, 0, r.stderr);
  t.match(r.stdout, /^OK - All pools are healthy\n/);
});
