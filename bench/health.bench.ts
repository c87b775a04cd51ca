// Health-check benchmark (issue 4 §5), against nginx (one worker) in another process:
//  (a) ProxyFetch checks/s with a new connection each, side by side with wrk -H 'Connection: close';
//  (b) 10,000 servers at a 5 s interval (2,000 checks/s) for 60 s: CPU, RSS, late checks.
// Env: BENCH_HEALTH_SECONDS (default 60) shortens (b); BENCH_HEALTH_SERVERS (default 10000).
import { spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkWithTimeout, createMonitor, nativeAddonUnavailable, HealthRunner, type Monitor, type Target } from '../src/health/index.js';
import { systemClock } from '../src/time/clock.js';
import { findTool } from '../test/support/require-tool.js';
import { startNginxOn } from './scale-nginx.js';

const NET = '127.44.250';
const ADDRESSES = 20;
const PORT = 18080 + (process.pid % 1000);
const CONCURRENCY = 32;
const RATE_SECONDS = 5;
const SERVERS = Number(process.env.BENCH_HEALTH_SERVERS ?? 10_000);
const LOAD_SECONDS = Number(process.env.BENCH_HEALTH_SECONDS ?? 60);

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function need(name: string): string {
  const p = findTool(name);
  if (!p) { console.error(`bench: ${name} not found; run test/lab/install-deps.sh as root`); process.exit(1); }
  return p;
}

function startNginx(bin: string, dir: string): Promise<ChildProcess> {
  const addresses = Array.from({ length: ADDRESSES }, (_, i) => `${NET}.${i + 1}`);
  return startNginxOn(bin, dir, addresses, PORT, { backlog: 4096, connections: 8192, singleProcess: false });
}

function wrkRate(bin: string): { rate: number; output: string } {
  const r = spawnSync(bin, ['-t1', `-c${CONCURRENCY}`, `-d${RATE_SECONDS}s`, '-H', 'Connection: close', `http://${NET}.1:${PORT}/`], { encoding: 'utf8' });
  const m = /Requests\/sec:\s*([\d.]+)/.exec(r.stdout);
  if (!m) throw new Error(`wrk gave no rate:\n${r.stdout}\n${r.stderr}`);
  return { rate: Number(m[1]), output: r.stdout };
}

async function proxyFetchRate(m: Monitor): Promise<{ rate: number; failures: number }> {
  const target: Target = { host: 'bench', ip: `${NET}.1`, port: PORT };
  const end = performance.now() + RATE_SECONDS * 1000;
  let done = 0;
  let failures = 0;
  const worker = async (): Promise<void> => {
    while (performance.now() < end) {
      const r = await checkWithTimeout(m, target, systemClock);
      if (r.up) done++; else failures++;
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return { rate: done / ((performance.now() - started) / 1000), failures };
}

async function manyServers(m: Monitor): Promise<void> {
  let results = 0;
  let down = 0;
  const runner = new HealthRunner({
    clock: systemClock,
    onTransition: (t) => { if (!t.up) down++; },
    onResult: () => { results++; },
  });
  for (let i = 0; i < SERVERS; i++) {
    runner.add({ host: `rs${i}.bench`, ip: `${NET}.${(i % ADDRESSES) + 1}`, port: PORT }, m);
  }
  global.gc?.();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  let maxRss = 0;
  for (let s = 0; s < LOAD_SECONDS; s++) {
    await sleep(1000);
    maxRss = Math.max(maxRss, process.memoryUsage().rss);
  }
  const wall = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const stats = runner.stats();
  runner.stop();
  const cpuPct = ((cpu.user + cpu.system) / 1e6 / wall) * 100;
  console.log(`(b) ${SERVERS} servers, interval 5 s, ${LOAD_SECONDS} s: ${stats.checksStarted} checks started ` +
    `(${(stats.checksStarted / wall).toFixed(0)}/s), ${results} results, ${down} down transitions`);
  console.log(`    CPU ${cpuPct.toFixed(1)}% of one core (user ${(cpu.user / 1e6).toFixed(1)} s, system ${(cpu.system / 1e6).toFixed(1)} s), ` +
    `max RSS ${(maxRss / 2 ** 20).toFixed(0)} MB, late (>100 ms) ${stats.lateChecks}, max lateness ${stats.maxLateMs.toFixed(1)} ms, ` +
    `skipped overlaps ${stats.skippedOverlaps}`);
  console.log(`    targets: CPU < 40% ${cpuPct < 40 ? 'MET' : 'MISSED'}, RSS < 150 MB ${maxRss < 150 * 2 ** 20 ? 'MET' : 'MISSED'}, ` +
    `no late checks ${stats.lateChecks === 0 ? 'MET' : 'MISSED'}`);
}

async function main(): Promise<void> {
  const nginxBin = need('nginx');
  const wrkBin = need('wrk');
  const dir = mkdtempSync(join(tmpdir(), 'vipd-bench-health-'));
  const nginx = await startNginx(nginxBin, dir);
  // SIGTERM lets the master stop its worker too (SIGKILL would orphan the worker).
  const stop = async (): Promise<void> => {
    const exited = new Promise<void>((r) => nginx.once('exit', () => r()));
    nginx.kill('SIGTERM');
    await Promise.race([exited, sleep(5000)]);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const made = createMonitor('ProxyFetch', { url: 'http://bench.example.test/health', timeout: 2, interval: 5 });
    if (!made.ok) throw new Error(made.error);
    const m = made.value;
    await proxyFetchRate(m); // warm-up
    const wrk = wrkRate(wrkBin);
    const ours = await proxyFetchRate(m);
    const ratio = (ours.rate / wrk.rate) * 100;
    console.log(`(a) new connection per check, ${CONCURRENCY} concurrent, ${RATE_SECONDS} s each, nginx 1 worker:`);
    console.log(`    wrk -t1 -c${CONCURRENCY} -H 'Connection: close': ${wrk.rate.toFixed(0)} req/s`);
    const slow = nativeAddonUnavailable();
    console.log(`    client: ${slow ? `net.Socket (${slow})` : 'native probe (native/http-probe.c)'}`);
    console.log(`    ProxyFetch: ${ours.rate.toFixed(0)} checks/s (${ours.failures} failed) = ${ratio.toFixed(0)}% of wrk ` +
      `(target >= 75%: ${ratio >= 75 ? 'MET' : 'MISSED'})`);
    await sleep(2000);
    await manyServers(m);
  } finally {
    await stop();
  }
}

main().catch((e: unknown) => { console.error(e); process.exit(1); });
