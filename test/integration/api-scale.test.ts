// Issue 13: /metrics keeps answering, complete, at 10,000 realservers: while the first health round
// runs and while every backend fails at once. Speed is the benchmarks' job (bench:scale's "/metrics
// max", target 100 ms, docs/benchmarks.md): the times are printed here, not asserted, since this file
// shares the machine with the rest of the suite. vipd from dist/ (build first), dry-run
// IPVS, ProxyFetch against one nginx listening on 10,000 loopback addresses (bench/scale-nginx.ts),
// killed with one SIGKILL (once every server is up, or after 12 s on a machine too busy for 10,000
// checks/s). /metrics is asked every 250 ms by a client that times each answer.
import t from 'tap';
import { spawn } from 'node:child_process';
import { createWriteStream, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { addressOf, scaleConfigText, startNginx, stopNginx } from '../../bench/scale-nginx.js';
import { requireTool } from '../support/require-tool.js';

const SERVERS = 10_000;
const BACKEND_PORT = 18480;
const API_PORT = 18481;
/** The target, NOT MET yet (docs/benchmarks.md): printed against each phase's figures. */
const LIMIT_MS = 100;
/** An answer slower than this counts as none: the API starved (the blast-radius failure this file guards). */
const TIMEOUT_MS = 10_000;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** One GET: the time to the last byte (ms), the body; no answer within TIMEOUT_MS gives ''. */
function timedGet(path: string): Promise<{ ms: number; body: string }> {
  const t0 = performance.now();
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port: API_PORT, path, timeout: TIMEOUT_MS, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ ms: performance.now() - t0, body: Buffer.concat(chunks).toString() }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', () => resolve({ ms: performance.now() - t0, body: '' }));
    req.end();
  });
}

const sample = (body: string, name: string): number | null => {
  const m = new RegExp(`^${name} ([0-9.e+]+)$`, 'm').exec(body);
  return m ? Number(m[1]) : null;
};

t.test('/metrics answers, complete, at 10,000 realservers: first round and all backends killed', async (t) => {
  const nginxBin = requireTool(t, 'nginx', 'the backends');
  if (!nginxBin) return;
  if (!existsSync('dist/cli/main.js')) { t.fail('dist/cli/main.js missing: npx tsc -p tsconfig.build.json first'); return; }
  const dir = mkdtempSync(join(tmpdir(), 'vipd-api-scale-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const nginx = await startNginx(nginxBin, join(dir, 'nginx'), SERVERS, BACKEND_PORT);
  t.teardown(() => stopNginx(nginx));
  const pool = join(dir, 'scale.pools');
  writeFileSync(pool, Array.from({ length: SERVERS }, (_, i) => `{ 'host': '${addressOf(i)}', 'weight': 10, 'enabled': True }`).join('\n') + '\n');
  const conf = join(dir, 'vipd.conf');
  writeFileSync(conf, scaleConfigText({ name: 'scale', apiPort: API_PORT, port: BACKEND_PORT, pool: `file://${pool}`, intervalS: 1, timeoutS: 0.5 }));
  const log = join(dir, 'vipd.log');
  const out = createWriteStream(log);
  const vipd = spawn(process.execPath, ['dist/cli/main.js', 'run', '-n', '-c', conf], { stdio: ['ignore', 'pipe', 'pipe'] });
  vipd.stdout!.pipe(out);
  vipd.stderr!.pipe(out);
  const exited = new Promise<void>((r) => vipd.once('exit', () => r()));
  t.teardown(async () => { if (vipd.exitCode === null) { vipd.kill('SIGKILL'); await exited; } });

  // The API is up once the instrumentation line is logged (bounded: 20 s).
  for (let i = 0; i < 200 && !(existsSync(log) && readFileSync(log, 'utf8').includes('instrumentation on')); i++) await sleep(100);
  const phases: Record<string, number[]> = { 'first round': [], 'all killed': [] };
  const unanswered: Record<string, number> = { 'first round': 0, 'all killed': 0 };
  let phase = 'first round';
  let killedAt: number | null = null;
  let upBefore: number | null = null;
  let upAfter: number | null = null;
  const t0 = Date.now();
  // Bounded: the first round until every server is up (at most 12 s), then 6 s after the kill; every 250 ms.
  while (Date.now() - t0 < 20_000) {
    const r = await timedGet('/metrics');
    phases[phase]!.push(r.ms);
    if (!r.body.includes('pybal_service_servers_up{service="scale"}')) unanswered[phase]!++;
    const up = sample(r.body, 'pybal_service_servers_up\\{service="scale"\\}');
    if (phase === 'all killed' && up !== null) upAfter = up;
    if (phase === 'first round' && up !== null) upBefore = up;
    if (phase === 'first round' && (up === SERVERS || Date.now() - t0 > 12_000)) {
      await stopNginx(nginx);
      killedAt = Date.now();
      phase = 'all killed';
    }
    if (killedAt !== null && Date.now() - killedAt > 6000) break;
    await sleep(250);
  }
  // Peak RSS (memory, issue 13: target 150 MB), reported for docs/benchmarks.md.
  const hwm = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${vipd.pid}/status`, 'utf8'))?.[1];
  t.comment(`vipd peak RSS: ${hwm ? Math.round(Number(hwm) / 1024) : '?'} MB`);
  t.comment(`servers up before the kill: ${upBefore}, 6 s after: ${upAfter}`);
  t.ok(upBefore !== null && upBefore > 0, `servers came up (${upBefore} of ${SERVERS} before the kill)`);
  t.ok(upAfter !== null && upBefore !== null && upAfter < upBefore, `servers went down after the kill (${upAfter})`);
  for (const [name, ms] of Object.entries(phases)) {
    const max = Math.max(...ms);
    const median = ms.sort((a, b) => a - b)[ms.length >> 1] ?? Infinity;
    t.comment(`${name}: ${ms.length} answers, max ${max.toFixed(1)} ms, median ${median.toFixed(1)} ms`
      + (max < LIMIT_MS ? '' : ` — the issue's target (every answer within ${LIMIT_MS} ms) is not met yet`));
    t.ok(ms.length > 0, `${name}: /metrics asked ${ms.length} times`);
    t.equal(unanswered[name], 0, `${name}: every /metrics answer complete within ${TIMEOUT_MS / 1000} s (none starved)`);
  }
});
