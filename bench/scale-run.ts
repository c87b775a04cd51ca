// One measurement of the scale benchmark (issue 13): vipd from dist (`run -n`: dry-run IPVS,
// bgp = no) with N realservers (nginx on N loopback addresses) checked by ProxyFetch every 1 s,
// watched through /metrics and /proc for `seconds`, then every backend killed at once.
import { spawn } from 'node:child_process';
import { createWriteStream, readFileSync, writeFileSync } from 'node:fs';
import { get } from 'node:http';
import { join } from 'node:path';
import { cpuSplitOf, parseMetrics, rssOf, type Sample } from './soak-metrics.js';
import { addressOf, scaleConfigText } from './scale-nginx.js';

export interface ScaleFigures {
  servers: number;
  /** From start until every server had a result (1 s resolution, from /metrics). */
  allCheckedS: number | null;
  /** vipd_first_round_duration_seconds: first check → every server's first result. */
  firstRoundS: number | null;
  /** From start to vipd's first 'VIP announced' log line (§6: right after the first round). */
  announcedS: number | null;
  /** Results per second after the first round, and the target (servers / interval). */
  checksPerS: number;
  target: number;
  /** Late checks after the first round, % of those started then (and from the start, the first round included). */
  latePct: number | null;
  latePctAll: number | null;
  missed: number | null;
  /** Of one core, after the first round. */
  cpuPct: number;
  /** Of cpuPct, the kernel's (system time: on loopback the kernel runs both ends of each check's TCP connection in vipd's syscalls). */
  cpuSystemPct: number;
  rssMaxMb: number;
  metricsMaxMs: number;
  /** The main thread's full (major) garbage collections per second after the first round (vipd_gc_collections_total). */
  majorGcPerS: number | null;
  /** The longest event-loop block from 11 s after the first round (`vipd_event_loop_lag_seconds` max of each reading's 10 s window). */
  loopLagMaxMs: number | null;
  /** /metrics asks after the first 5 s that got no metrics (an error answer or a timeout). */
  metricsFailed: number;
  /** All backends killed → /vips says the VIP is not announced; and → vipd's 'VIP withdrawn' log line. */
  withdrawS: number | null;
  withdrawLogS: number | null;
  /** Why the withdrawal was not timed (the VIP was not announced before the kill), else absent. */
  withdrawNote?: string;
}

export interface ScaleRunOptions { node: string; dir: string; servers: number; port: number; apiPort: number; seconds: number; kill: () => Promise<void> }

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** GET http://127.0.0.1:PORT/PATH as text (JSON for /vips). */
export function fetchText(port: number, path: string, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = get({ host: '127.0.0.1', port, path, timeout: timeoutMs, headers: { accept: path === '/vips' ? 'application/json' : 'text/plain' } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => { body += c; });
      res.on('end', () => resolve(body));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
  });
}

const WANTED = new Set(['pybal_monitor_up_results_total', 'pybal_monitor_down_results_total', 'vipd_health_checks_started_total',
  'vipd_health_checks_late_total', 'vipd_health_checks_missed_total', 'vipd_first_round_duration_seconds', 'vipd_event_loop_lag_seconds',
  'vipd_status_timestamp_seconds', 'vipd_gc_collections_total']);
const WANTED_FIRST = new Set([...WANTED, 'pybal_monitor_status']);

const sum = (xs: Sample[], name: string): number => xs.filter((s) => s.name === name).reduce((a, s) => a + s.value, 0);
const has = (xs: Sample[], name: string): boolean => xs.some((s) => s.name === name);

function writeFiles(o: ScaleRunOptions): { conf: string; log: string } {
  const pool = join(o.dir, `scale-${o.servers}.pools`);
  const lines = Array.from({ length: o.servers }, (_, i) => `{ 'host': '${addressOf(i)}', 'weight': 10, 'enabled': True }`);
  writeFileSync(pool, lines.join('\n') + '\n');
  const conf = join(o.dir, `vipd-${o.servers}.conf`);
  writeFileSync(conf, scaleConfigText({ name: 'scale', apiPort: o.apiPort, port: o.port, pool: `file://${pool}`, intervalS: 1, timeoutS: 0.5 }));
  return { conf, log: join(o.dir, `vipd-${o.servers}.log`) };
}

export async function scaleRun(o: ScaleRunOptions): Promise<ScaleFigures> {
  const { conf, log } = writeFiles(o);
  const logStream = createWriteStream(log);
  const t0 = Date.now();
  // VIPD_SCALE_NODE_ARGS: node flags for vipd, to profile it (`--cpu-prof --cpu-prof-dir=/tmp/p`).
  const nodeArgs = (process.env.VIPD_SCALE_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const vipd = spawn(o.node, [...nodeArgs, 'dist/cli/main.js', 'run', '-n', '-c', conf], { stdio: ['ignore', 'pipe', 'pipe'] });
  vipd.stdout!.pipe(logStream);
  vipd.stderr!.pipe(logStream);
  const pid = vipd.pid!;
  let rssMax = 0;
  const rssTimer = setInterval(() => { try { rssMax = Math.max(rssMax, rssOf(pid)); } catch { /* exited */ } }, 250);
  let metricsMaxMs = 0;
  let metricsFailed = 0;
  let loopLagMax: number | null = null;
  let allCheckedAt: number | null = null;
  // at: when the reading was scraped (CPU is read then); readAt: when the status it shows was read (a kept body's age differs)
  let base: { at: number; readAt: number; results: number; cpu: number; system: number; started: number; late: number; majorGc: number } | null = null;
  let last = { at: t0, readAt: t0, results: 0, cpu: 0, system: 0, started: 0, late: 0, majorGc: 0 };
  let samples: Sample[] = [];
  try {
    const end = t0 + o.seconds * 1000;
    for (let i = 0; Date.now() < end && i < 100_000; i++) {
      const asked = Date.now();
      let text = '';
      try { text = await fetchText(o.apiPort, '/metrics', 10_000); } catch { /* not up yet, or too slow: counted */ }
      const took = Date.now() - asked;
      if (!text.includes('pybal_')) text = '';
      if (text || asked - t0 > 5000) metricsMaxMs = Math.max(metricsMaxMs, took);
      if (!text && asked - t0 > 5000) metricsFailed++;
      if (text) {
        // the families read here only; each host's status only until every server had a result
        samples = parseMetrics(text, allCheckedAt === null ? WANTED_FIRST : WANTED);
        const results = sum(samples, 'pybal_monitor_up_results_total') + sum(samples, 'pybal_monitor_down_results_total');
        const checked = new Set(samples.filter((s) => s.name === 'pybal_monitor_status').map((s) => s.labels.host)).size;
        const cpu = cpuSplitOf(pid);
        const readAt = samples.find((s) => s.name === 'vipd_status_timestamp_seconds')?.value;
        last = { at: asked, readAt: readAt === undefined ? asked : readAt * 1000, results, cpu: cpu.user + cpu.system, system: cpu.system, started: sum(samples, 'vipd_health_checks_started_total'), late: sum(samples, 'vipd_health_checks_late_total'),
          majorGc: sum(samples.filter((s) => s.labels.kind === 'major'), 'vipd_gc_collections_total') };
        if (allCheckedAt === null && checked >= o.servers) { allCheckedAt = last.at; base = last; }
        const lag = samples.find((s) => s.name === 'vipd_event_loop_lag_seconds' && s.labels.quantile === '1');
        // each reading covers the 10 s before it: from 11 s after the first round, the steady state only
        if (base && lag && last.at - base.at > 11_000) loopLagMax = Math.max(loopLagMax ?? 0, lag.value * 1000);
      }
      await sleep(Math.max(0, 1000 - (Date.now() - asked)));
    }
    if (allCheckedAt === null) {
      const tail = readFileSync(log, 'utf8').trimEnd().split('\n').slice(-4).map((l) => l.slice(0, 300));
      console.log(`  ${o.servers} servers: not every server checked within ${o.seconds} s; vipd's last log lines:\n  ${tail.join('\n  ')}`);
    }
    const firstRound = samples.filter((s) => s.name === 'vipd_first_round_duration_seconds');
    const span = base ? (last.at - base.at) / 1000 : 0;
    const readSpan = base ? (last.readAt - base.readAt) / 1000 : 0;
    const figures: ScaleFigures = {
      servers: o.servers,
      allCheckedS: allCheckedAt === null ? null : (allCheckedAt - t0) / 1000,
      firstRoundS: firstRound.length ? Math.max(...firstRound.map((s) => s.value)) : null,
      checksPerS: base && readSpan > 0 ? (last.results - base.results) / readSpan : 0,
      target: o.servers,
      latePct: has(samples, 'vipd_health_checks_late_total') && base && last.started > base.started
        ? (100 * (last.late - base.late)) / (last.started - base.started) : null,
      latePctAll: has(samples, 'vipd_health_checks_late_total') && last.started > 0 ? (100 * last.late) / last.started : null,
      missed: has(samples, 'vipd_health_checks_missed_total') ? sum(samples, 'vipd_health_checks_missed_total') : null,
      cpuPct: base && span > 0 ? (100 * (last.cpu - base.cpu)) / span : 0,
      cpuSystemPct: base && span > 0 ? (100 * (last.system - base.system)) / span : 0,
      rssMaxMb: rssMax / 1048576,
      metricsMaxMs,
      metricsFailed,
      loopLagMaxMs: loopLagMax,
      majorGcPerS: has(samples, 'vipd_gc_collections_total') && base && readSpan > 0 ? (last.majorGc - base.majorGc) / readSpan : null,
      withdrawS: null,
      withdrawLogS: null,
      announcedS: logged(log, 'VIP announced', t0),
    };
    // Every backend at once (a rack or switch lost): the VIP must go.
    let before: { announced: boolean; reason: string }[] = [];
    try { before = JSON.parse(await fetchText(o.apiPort, '/vips', 10_000)) as typeof before; } catch { /* too slow */ }
    if (!before.length || !before.every((v) => v.announced)) {
      figures.withdrawNote = `VIP not announced before the kill: ${JSON.stringify(before.map((v) => v.reason))}`;
      await o.kill();
      return figures;
    }
    const killedAt = Date.now();
    await o.kill();
    for (let i = 0; i < 2400 && Date.now() - killedAt < 120_000; i++) {
      try {
        const vips = JSON.parse(await fetchText(o.apiPort, '/vips', 2000)) as { announced: boolean }[];
        if (vips.length && vips.every((v) => !v.announced)) { figures.withdrawS = (Date.now() - killedAt) / 1000; break; }
      } catch { /* slow answer: ask again */ }
      await sleep(50);
    }
    figures.withdrawLogS = logged(log, 'VIP withdrawn', killedAt);
    return figures;
  } finally {
    clearInterval(rssTimer);
    const gone = new Promise<void>((r) => { if (vipd.exitCode !== null || vipd.signalCode !== null) r(); else vipd.once('exit', () => r()); });
    vipd.kill('SIGTERM');
    const timer = setTimeout(() => vipd.kill('SIGKILL'), 10_000);
    await gone;
    clearTimeout(timer);
    logStream.end();
  }
}

/** Seconds from `since` (epoch ms) to the first log line containing `what` logged after it. */
function logged(log: string, what: string, since: number): number | null {
  let text = '';
  try { text = readFileSync(log, 'utf8'); } catch { return null; }
  for (const line of text.split('\n')) {
    if (!line.includes(what)) continue;
    try {
      const at = Date.parse((JSON.parse(line) as { ts: string }).ts);
      if (at >= since) return (at - since) / 1000;
    } catch { /* not JSON */ }
  }
  return null;
}
