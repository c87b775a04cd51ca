// Issue 11: the API worker is restarted when it dies. vipd from dist/ (build first) with the
// test-only crash paths (VIPD_TEST_API_CRASH=1, src/api/test-crash.ts), 20 real HTTP backends
// checked every second. The worker dies twice for real — an uncaught exception, then its heap
// past resourceLimits — and each time: the API answers again within a few seconds, /alerts says
// why it died, the data is complete (every server listed, up), and no health check was missed.
import t from 'tap';
import { spawn } from 'node:child_process';
import { createWriteStream, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { scaleConfigText } from '../../bench/scale-nginx.js';

const SERVERS = 20;
const BACKEND_PORT = 18492;
const API_PORT = 18493;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const backendIp = (i: number): string => `127.47.0.${i + 1}`;

/** GET on the API: status and body, or null without an answer (within 2 s). */
function get(path: string): Promise<{ status: number; body: string } | null> {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port: API_PORT, path, timeout: 2000, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
      res.on('error', () => resolve(null));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', () => resolve(null));
    req.end();
  });
}

const sum = (body: string, name: string): number => {
  let n = 0;
  for (const m of body.matchAll(new RegExp(`^${name}(?:\\{[^}]*\\})? ([0-9.e+]+)$`, 'gm'))) n += Number(m[1]);
  return n;
};

t.test('the API worker dies (exception, then out of memory): restarted, alerted, complete, no check missed', async (t) => {
  if (!existsSync('dist/cli/main.js')) { t.fail('dist/cli/main.js missing: npx tsc -p tsconfig.build.json first'); return; }
  const dir = mkdtempSync(join(tmpdir(), 'vipd-api-restart-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const backends: Server[] = [];
  t.teardown(() => { for (const b of backends) b.close(); });
  for (let i = 0; i < SERVERS; i++) {
    const b = createServer((_req, res) => res.end('ok'));
    await new Promise<void>((r) => b.listen(BACKEND_PORT, backendIp(i), () => r()));
    backends.push(b);
  }
  const pool = join(dir, 'web.pools');
  writeFileSync(pool, Array.from({ length: SERVERS }, (_, i) => `{ 'host': '${backendIp(i)}', 'weight': 10, 'enabled': True }`).join('\n') + '\n');
  const conf = join(dir, 'vipd.conf');
  writeFileSync(conf, scaleConfigText({ name: 'web', apiPort: API_PORT, port: BACKEND_PORT, pool: `file://${pool}`, intervalS: 1, timeoutS: 0.5 }));
  const log = join(dir, 'vipd.log');
  const out = createWriteStream(log);
  const vipd = spawn(process.execPath, ['dist/cli/main.js', 'run', '-n', '-c', conf], {
    stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, VIPD_TEST_API_CRASH: '1' },
  });
  vipd.stdout!.pipe(out);
  vipd.stderr!.pipe(out);
  const exited = new Promise<void>((r) => vipd.once('exit', () => r()));
  t.teardown(async () => { if (vipd.exitCode === null) { vipd.kill('SIGKILL'); await exited; } });

  // Every server up (bounded: 20 s).
  let metrics = '';
  for (let i = 0; i < 100; i++) {
    metrics = (await get('/metrics'))?.body ?? '';
    if (sum(metrics, 'pybal_service_servers_up') === SERVERS) break;
    await sleep(200);
  }
  t.equal(sum(metrics, 'pybal_service_servers_up'), SERVERS, 'every backend up before the first crash');
  const before = { results: sum(metrics, 'pybal_monitor_up_results_total'), at: Date.now() };

  for (const [how, why] of [['throw', 'test crash asked by GET /test-crash/throw'], ['oom', 'ERR_WORKER_OUT_OF_MEMORY']] as const) {
    const asked = Date.now();
    void get(`/test-crash/${how}`); // no answer: the worker dies on it
    // Gone, then back (bounded: 15 s).
    let alerts: { status: number; body: string } | null = null;
    let wasDown = false;
    for (let i = 0; i < 150; i++) {
      await sleep(100);
      alerts = await get('/alerts');
      if (!alerts) wasDown = true;
      if (wasDown && alerts?.body.includes('worker restarted')) break;
    }
    const back = (Date.now() - asked) / 1000;
    t.ok(wasDown, `${how}: the API was down`);
    t.match(alerts?.body ?? '', new RegExp(`WARNING - api: instrumentation API worker restarted after [0-9.]+ s down; it died: .*${why}`),
      `${how}: /alerts says the worker died and why (${alerts?.body})`);
    t.ok(back < 10, `${how}: the API answered again ${back.toFixed(1)} s after the crash`);
    const pools = await get('/pools/web');
    t.equal(pools?.body.trim().split('\n').filter((l) => l.includes('enabled/up/pooled')).length, SERVERS,
      `${how}: /pools/web lists every server up and pooled (complete copy)`);
    t.match(readFileSync(log, 'utf8'), new RegExp(`instrumentation worker died \\(.*${why}.*\\); the API is down`), `${how}: the death is logged with its cause`);
  }
  metrics = (await get('/metrics'))?.body ?? '';
  const seconds = (Date.now() - before.at) / 1000;
  const results = sum(metrics, 'pybal_monitor_up_results_total') - before.results;
  t.equal(sum(metrics, 'pybal_service_servers_up'), SERVERS, '/metrics after the restarts: every server up');
  t.equal(sum(metrics, 'vipd_health_checks_missed_total'), 0, 'no health check missed');
  t.ok(results >= SERVERS * (seconds - 2), `${results} up results in ${seconds.toFixed(1)} s at ${SERVERS} servers/s: checks ran on`);
  t.comment(`late checks: ${sum(metrics, 'vipd_health_checks_late_total')} of ${sum(metrics, 'vipd_health_checks_started_total')}`);
  vipd.kill('SIGTERM');
  await exited;
});
