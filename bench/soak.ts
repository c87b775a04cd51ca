// The soak (issue 11, "Proof"): `npm run soak -- [--minutes 60] [--servers 1000] [--warmup 5] [--timeout-auto]`.
// --timeout-auto: `proxyfetch.timeout = auto` under `timeout-max = 0.5` (issue 16 §5) instead of 0.5 s.
// vipd (`node dist/cli/main.js run -n`, bgp = no) checks N loopback HTTP realservers every 1 s
// (bench/soak-backends.ts, another process); the pool file is rewritten every 10 s (20 spare
// servers in or out, 10 weights changed), SIGHUP every minute, an API client at 200 req/s.
// Prints RSS over time and, after warm-up: RSS growth, false transitions, missed and late checks
// (from /metrics and from the backends' side), API errors.
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, get } from 'node:http';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { addressAt, type BackendStats } from './soak-backends.js';
import {
  cpuSecondsOf, gapsByEvent, hostFigures, loadAverage, parseMetrics, rssOf, scheduleFigures, type HostFigures, type ScheduleFigures,
} from './soak-metrics.js';

function arg(name: string, def: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 ? Number(process.argv[i + 1]) : def;
  if (!Number.isFinite(v) || v <= 0) { console.error(`soak: --${name} needs a positive number`); process.exit(2); }
  return v;
}
const MINUTES = arg('minutes', 60);
const SERVERS = arg('servers', 1000);
const WARMUP_S = arg('warmup', Math.min(5, MINUTES / 5)) * 60;
const API_RATE = arg('api-rate', 200);
const TIMEOUT = process.argv.includes('--timeout-auto') ? 'auto\nproxyfetch.timeout-max = 0.5' : '0.5';
const SPARES = 20;
const FIRST = '127.77.0.1';
const PORT = 20000 + (process.pid % 5000);
const API_PORT = 26000 + (process.pid % 5000);
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const mb = (b: number): string => (b / 1048576).toFixed(1);

const dir = mkdtempSync(join(tmpdir(), 'vipd-soak-'));
const poolPath = join(dir, 'soak.pools');
const confPath = join(dir, 'vipd.conf');
mkdirSync('build/soak', { recursive: true });
const logPath = join('build/soak', `vipd-${process.pid}.log`);
const children: ChildProcess[] = [];

let churnRound = 0;
function writePool(): void {
  const lines: string[] = [];
  for (let i = 0; i < SERVERS; i++) {
    const weight = (i + churnRound) % 100 < 10 && churnRound % 2 ? 20 : 10;
    lines.push(`{ 'host': '${addressAt(FIRST, i)}', 'weight': ${weight}, 'enabled': True }`);
  }
  if (churnRound % 2 === 0) for (let i = 0; i < SPARES; i++) lines.push(`{ 'host': '${addressAt(FIRST, SERVERS + i)}', 'weight': 10, 'enabled': True }`);
  writeFileSync(`${poolPath}.tmp`, `${lines.join('\n')}\n`);
  renameSync(`${poolPath}.tmp`, poolPath);
}

function writeConfig(round: number): void {
  writeFileSync(confPath, `# soak config, reload ${round}
[global]
bgp = no
instrumentation = yes
instrumentation_port = ${API_PORT}
instrumentation_ips = [ "127.0.0.1" ]

[soak]
protocol = tcp
ip = 10.2.77.1
port = ${PORT}
scheduler = wrr
config = file://${poolPath}
depool-threshold = .5
monitors = [ "ProxyFetch" ]
proxyfetch.url = [ 'http://soak.example.org/healthz' ]
proxyfetch.interval = 1
proxyfetch.timeout = ${TIMEOUT}
`);
}

// The API limits each client address to 50 req/s (issue 11 §2): the 200 req/s load comes from
// several loopback addresses at 40 req/s each, as several dashboards would; /metrics from its own.
const PER_CLIENT_RATE = 40;
const CLIENTS = Math.ceil(API_RATE / PER_CLIENT_RATE);
const clients = Array.from({ length: CLIENTS }, (_, i) => ({
  localAddress: `127.0.0.${i + 1}`, agent: new Agent({ keepAlive: true, maxSockets: 64 }),
}));
const metricsClient = { localAddress: '127.0.0.100', agent: new Agent({ keepAlive: true, maxSockets: 4 }) };
function fetchText(path: string, timeoutMs = 5000, client = metricsClient): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = get({ host: '127.0.0.1', port: API_PORT, path, ...client, timeout: timeoutMs }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => { body += c; });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
  });
}

async function metrics(): Promise<ReturnType<typeof parseMetrics>> {
  return parseMetrics((await fetchText('/metrics', 10_000)).body);
}

function measured(h: Map<string, HostFigures>): HostFigures[] {
  return Array.from({ length: SERVERS }, (_, i) => h.get(addressAt(FIRST, i)) ?? { results: 0, downTransitions: 0, up: false });
}

async function main(): Promise<void> {
  const backends = spawn(process.execPath, [new URL('./soak-backends.js', import.meta.url).pathname, FIRST, String(SERVERS + SPARES), String(PORT), String(SERVERS)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  children.push(backends);
  await new Promise<void>((resolve, reject) => { backends.once('message', () => resolve()); backends.once('exit', () => reject(new Error('backends exited'))); });
  const backendStats = (): Promise<BackendStats> => new Promise((resolve) => { backends.once('message', (m) => resolve(m as BackendStats)); backends.send('stats'); });
  writePool();
  writeConfig(0);
  const log = createWriteStream(logPath);
  const vipd = spawn(process.execPath, ['dist/cli/main.js', 'run', '-n', '-c', confPath], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(vipd);
  vipd.stdout!.pipe(log);
  vipd.stderr!.pipe(log);
  vipd.once('exit', (code, sig) => { if (!stopping) { console.error(`soak: vipd exited (${code ?? sig}) early; log ${logPath}`); process.exit(1); } });
  console.log(`soak: ${SERVERS} realservers on ${FIRST}+ port ${PORT} (backends pid ${backends.pid}), vipd pid ${vipd.pid}, API :${API_PORT}, ${MINUTES} min, warm-up ${WARMUP_S / 60} min, dir ${dir}`);
  for (let i = 0; i < 120; i++) {
    try { if (measured(hostFigures(await metrics())).every((f) => f.up)) break; } catch { /* not listening yet */ }
    await sleep(1000);
  }
  const t0 = Date.now();
  const api = { ok: 0, errors: 0, maxMs: 0, errorKinds: new Map<string, number>(), inFlight: 0, skipped: 0, latencies: [] as number[] };
  const apiError = (kind: string): void => { api.errors++; api.errorKinds.set(kind, (api.errorKinds.get(kind) ?? 0) + 1); };
  const paths = ['/pools', '/alerts', '/vips', '/bgp', `/pools/soak/${addressAt(FIRST, 7)}`, '/pools/soak'];
  let apiSeq = 0;
  const apiTimer = setInterval(() => {
    for (let k = 0; k < API_RATE / 20; k++) {
      // At most 64 requests in flight: beyond that a request is not sent but counted as an error
      // ("backlog"), so a slow API shows as errors instead of as an ever longer client queue.
      if (api.inFlight >= 64) { api.skipped++; apiError('backlog (64 in flight)'); continue; }
      const path = paths[apiSeq++ % paths.length]!;
      const started = Date.now();
      api.inFlight++;
      fetchText(path, 2000, clients[apiSeq % CLIENTS]).then((r) => {
        if (r.status === 200) api.ok++; else apiError(`HTTP ${r.status}`);
        const ms = Date.now() - started;
        api.maxMs = Math.max(api.maxMs, ms);
        if (api.latencies.length < 1_000_000) api.latencies.push(ms);
      }, (e: Error) => apiError(e.message)).finally(() => { api.inFlight--; });
    }
  }, 50);
  const churnAt: number[] = [];
  const reloadAt: number[] = [];
  const churnTimer = setInterval(() => { churnRound++; writePool(); churnAt.push(Date.now()); }, 10_000);
  let reloads = 0;
  const hupTimer = setInterval(() => { reloads++; writeConfig(reloads); vipd.kill('SIGHUP'); reloadAt.push(Date.now()); }, 60_000);
  const rss: Array<[number, number]> = [];
  let base: Map<string, HostFigures> | null = null;
  let baseAt = 0;
  let baseApi = { ok: 0, errors: 0 };
  const end = t0 + MINUTES * 60_000;
  let lastCpu = [cpuSecondsOf(vipd.pid!), cpuSecondsOf(backends.pid!)];
  let lastCpuAt = Date.now();
  const loads: number[] = [];
  const startCpu = lastCpu;
  let lastSched: ScheduleFigures | null = null;
  let baseSched: ScheduleFigures | null = null;
  while (Date.now() < end) {
    await sleep(Math.min(10_000, end - Date.now()));
    const s = (Date.now() - t0) / 1000;
    rss.push([s, rssOf(vipd.pid!)]);
    const cpu = [cpuSecondsOf(vipd.pid!), cpuSecondsOf(backends.pid!)];
    const cpuPct = cpu.map((c, i) => (((c - lastCpu[i]!) / ((Date.now() - lastCpuAt) / 1000)) * 100).toFixed(0));
    lastCpu = cpu; lastCpuAt = Date.now();
    loads.push(loadAverage());
    // vipd's schedule counters every sample: missed checks by reason and late starts, as deltas (issue 13 §4).
    let sched = '';
    try {
      const now = scheduleFigures(await metrics());
      if (lastSched) sched = ` sched late+${now.late - lastSched.late} missed timer-late+${now.missedTimerLate - lastSched.missedTimerLate} overlap+${now.missedOverlap - lastSched.missedOverlap}`;
      lastSched = now;
    } catch (e) { sched = ` sched unreadable (${(e as Error).message})`; }
    if (!base && s >= WARMUP_S) {
      const m = await metrics();
      base = hostFigures(m);
      baseSched = scheduleFigures(m);
      baseAt = Date.now();
      baseApi = { ok: api.ok, errors: api.errors };
      backends.send('reset');
      console.log(`soak t=${s.toFixed(0)}s: warm-up over; measuring from here`);
    }
    console.log(`soak t=${s.toFixed(0)}s rss=${mb(rss.at(-1)![1])} MB cpu vipd=${cpuPct[0]}% backends=${cpuPct[1]}% load=${loads.at(-1)} api ok=${api.ok} errors=${api.errors} max=${api.maxMs} ms churn=${churnRound} reloads=${reloads}${sched}`);
  }
  clearInterval(apiTimer); clearInterval(churnTimer); clearInterval(hupTimer);
  const final = await metrics();
  const after = hostFigures(final);
  const windowS = (Date.now() - baseAt) / 1000;
  const b = await backendStats();
  const before = base ? measured(base) : [];
  const now = measured(after);
  let falseDown = 0;
  let missed = 0;
  now.forEach((f, i) => {
    falseDown += f.downTransitions - (before[i]?.downTransitions ?? 0);
    missed += Math.max(0, Math.floor(windowS) - 1 - (f.results - (before[i]?.results ?? 0)));
  });
  const logText = readFileSync(logPath, 'utf8');
  const downLines = logText.split('\n').filter((l) => l.includes('server down')).length;
  const mean = (xs: Array<[number, number]>): number => xs.reduce((a, [, v]) => a + v, 0) / Math.max(1, xs.length);
  const warm = rss.filter(([s]) => s >= WARMUP_S);
  const startRss = mean(warm.slice(0, 3));
  const endRss = mean(warm.slice(-3));
  console.log('\n=== soak figures ===');
  console.log(`duration ${MINUTES} min, ${SERVERS} realservers at 1 s, timeout ${TIMEOUT.split('\n')[0]}, ${churnRound} pool rewrites, ${reloads} SIGHUP reloads, API ${API_RATE} req/s`);
  console.log(`RSS over time (MB): ${rss.filter((_, i) => i % 3 === 0).map(([s, v]) => `${s.toFixed(0)}s:${mb(v)}`).join(' ')}`);
  console.log(`RSS after warm-up: ${mb(startRss)} → ${mb(endRss)} MB (${(((endRss - startRss) / startRss) * 100).toFixed(1)}%), max ${mb(Math.max(...rss.map(([, v]) => v)))} MB`);
  console.log(`false transitions (down transitions of always-up servers, after warm-up): ${falseDown}; 'server down' log lines (whole run): ${downLines}`);
  console.log(`servers up at the end: ${now.filter((f) => f.up).length}/${SERVERS}`);
  console.log(`missed checks (vipd results vs ${Math.floor(windowS)} s window, per server, summed): ${missed}`);
  console.log(`backend side over ${windowS.toFixed(0)} s: ${b.requests} checks, ${b.checked}/${SERVERS} servers checked, gaps >1.5 s (late) ${b.late}, >2 s (missed) ${b.missed}, max gap ${b.maxGapMs} ms${b.silent.length ? `, never checked: ${b.silent.slice(0, 5).join(' ')}…` : ''}`);
  console.log(`backend late gaps against events: ${gapsByEvent(b.lateAt, churnAt, reloadAt)}`);
  const sf = scheduleFigures(final);
  const sb = baseSched ?? { started: 0, late: 0, missedTimerLate: 0, missedOverlap: 0, lag: [] };
  console.log(`vipd schedule after warm-up: ${sf.started - sb.started} checks started, ${sf.late - sb.late} late (> 100 ms), missed: timer-late ${sf.missedTimerLate - sb.missedTimerLate}, overlap ${sf.missedOverlap - sb.missedOverlap}`);
  console.log(`schedule lag histogram after warm-up (le: count): ${sf.lag.map(([le, n]) => `${le}:${n - (sb.lag.find(([l]) => l === le)?.[1] ?? 0)}`).join(' ')}`);
  const learned = (v: string): number => final.filter((x) => x.name === 'vipd_health_learned_expiries_total' && x.labels.verdict === v).reduce((a, x) => a + x.value, 0);
  console.log(`learned deadlines passed (whole run): ${learned('held')} held 50 ms, ${learned('ceiling')} given up to the ceiling (burst or vipd stall), ${learned('answered')} answered after the learned deadline`);
  const loopLag = final.filter((x) => x.name.startsWith('vipd_event_loop_lag_seconds'));
  console.log(`event-loop lag: ${loopLag.map((x) => `${x.name.replace('vipd_event_loop_lag_seconds', '')}${x.labels.quantile ?? x.labels.le ?? ''}=${x.value}`).join(' ') || 'not exported'}`);
  console.log(`API after warm-up: ${api.ok - baseApi.ok} ok, ${api.errors - baseApi.errors} errors (whole run ${api.errors}: ${[...api.errorKinds].map(([k, v]) => `${k} ×${v}`).join(', ') || 'none'}), slowest ${api.maxMs} ms`);
  const lat = [...api.latencies].sort((x, y) => x - y);
  const pct = (p: number): number => lat[Math.min(lat.length - 1, Math.floor((p / 100) * lat.length))] ?? 0;
  console.log(`API latency: p50 ${pct(50)} ms, p99 ${pct(99)} ms, max ${api.maxMs} ms; ${api.skipped} not sent (64 in flight)`);
  const runS = (Date.now() - t0) / 1000;
  console.log(`CPU: vipd ${(((cpuSecondsOf(vipd.pid!) - startCpu[0]!) / runS) * 100).toFixed(0)}% of a core, backends ${(((cpuSecondsOf(backends.pid!) - startCpu[1]!) / runS) * 100).toFixed(0)}%; machine load average ${Math.min(...loads).toFixed(1)}-${Math.max(...loads).toFixed(1)} (${cpus().length} CPUs)`);
  console.log(`vipd log: ${logPath}`);
}

let stopping = false;
async function stop(): Promise<void> {
  stopping = true;
  for (const c of [...clients, metricsClient]) c.agent.destroy();
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGTERM');
  await sleep(3000);
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
}

process.on('SIGINT', () => { void stop().then(() => process.exit(130)); });
try {
  await main();
  await stop();
  if (!process.argv.includes('--keep')) rmSync(dir, { recursive: true, force: true });
} catch (e) {
  console.error(`soak: ${(e as Error).message}`);
  await stop();
  process.exit(1);
}
