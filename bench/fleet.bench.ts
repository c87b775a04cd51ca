// Fleet benchmark (issue 17 §5): `npm run bench:fleet -- [--servers 10000] [--instances 3]
// [--interval 10] [--seconds 60] [--changes 5]`. One real etcd holds one pool of --servers
// realservers (conftool layout); --instances vipd (`run -n`, dry-run IPVS, bgp = no, from dist)
// read it and check every server with ProxyFetch at --interval against nginx on as many loopback
// addresses (bench/scale-nginx.ts). Once every instance has checked every server:
// - propagation: --changes times a server's weight, then its pooled flag, changed in etcd; from
//   just before the etcd write to each instance's dry-run batch naming that server (the batch line
//   as it reaches the bench), slowest instance per change;
// - for --seconds: CPU % of a core and max RSS per instance (/proc), checks per second against the
//   target, late and missed checks (/metrics).
// Needs `npm run build` first. On a shared machine: `flock /tmp/vipd-cpu.lock nice npm run bench:fleet`.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findTool } from '../test/support/require-tool.js';
import { startEtcd, type TestEtcd } from '../test/integration/pools-etcd-server.js';
import { addressOf, startNginx, stopNginx } from './scale-nginx.js';
import { cpuSecondsOf, loadAverage, parseMetrics, rssOf, type Sample } from './soak-metrics.js';
import { FleetInstance } from './fleet-instance.js';

function arg(name: string, def: string): number {
  const i = process.argv.indexOf(`--${name}`);
  return Number(i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1] : def);
}
const SERVERS = arg('servers', '10000');
const INSTANCES = arg('instances', '3');
const INTERVAL = arg('interval', '10');
const SECONDS = arg('seconds', '60');
const CHANGES = arg('changes', '5');
if (![SERVERS, INSTANCES, INTERVAL, SECONDS, CHANGES].every((x) => x > 0) || SERVERS > 10_000 || INSTANCES > 10) {
  console.error('bench:fleet: --servers (≤ 10000), --instances (≤ 10), --interval, --seconds, --changes must be positive');
  process.exit(2);
}
const PREFIX = '/conftool/v1/pools/bench/fleet/';
const PORT = 21000 + (process.pid % 4000);
const API_BASE = 25000 + (process.pid % 4000);
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const value = (weight: number, pooled = 'yes'): string => JSON.stringify({ pooled, weight });

function need(name: string): string {
  const p = findTool(name);
  if (!p) { console.error(`bench:fleet: ${name} not found; run test/lab/install-deps.sh as root`); process.exit(1); }
  return p;
}

/** The pool, 32 writes in flight. */
async function loadPool(etcd: TestEtcd): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: 32 }, async () => {
    for (let i = next++; i < SERVERS; i = next++) await etcd.put(PREFIX + addressOf(i), value(10));
  }));
}

const sum = (xs: Sample[], name: string): number => xs.filter((s) => s.name === name).reduce((a, s) => a + s.value, 0);
const checkedHosts = (xs: Sample[]): number => new Set(xs.filter((s) => s.name === 'pybal_monitor_status').map((s) => s.labels.host)).size;

/** ms from just before the etcd write to each instance's first batch naming `server`; null = not within 10 s. */
async function propagate(etcd: TestEtcd, fleet: FleetInstance[], server: string, v: string): Promise<(number | null)[]> {
  const t0 = Date.now();
  await etcd.put(PREFIX + server, v);
  const needle = `${server}:${PORT}`;
  for (let i = 0; i < 1000 && Date.now() - t0 < 10_000; i++) {
    if (fleet.every((f) => f.batchSince(t0, needle))) break;
    await sleep(10);
  }
  return fleet.map((f) => { const b = f.batchSince(t0, needle); return b ? b.at - t0 : null; });
}

interface Reading { at: number; cpu: number; samples: Sample[] }

/** CPU now and /metrics (asked up to 3 times, 30 s each: at 10,000 servers on a loaded machine it is slow). */
async function read(f: FleetInstance): Promise<Reading> {
  const at = Date.now();
  const cpu = cpuSecondsOf(f.pid);
  let lastError: unknown;
  for (let i = 0; i < 3; i++) {
    try { return { at, cpu, samples: parseMetrics(await f.metrics(30_000)) }; } catch (e) { lastError = e; }
  }
  throw new Error(`instance ${f.o.index + 1}: no /metrics answer: ${lastError instanceof Error ? lastError.message : String(lastError)}`);
}

async function main(): Promise<void> {
  if (!existsSync('dist/cli/main.js')) { console.error('bench:fleet: dist/cli/main.js missing: run `npm run build` first'); process.exit(1); }
  const [nginxBin, etcdBin] = [need('nginx'), need('etcd')];
  const dir = mkdtempSync(join(tmpdir(), 'vipd-fleet-bench-'));
  console.log(`bench:fleet: ${INSTANCES} instances × ${SERVERS} realservers, ProxyFetch every ${INTERVAL} s, ${SECONDS} s measured, ${CHANGES} change(s) of each kind, load ${loadAverage()}`);
  const etcd = await startEtcd(etcdBin, dir);
  const fleet: FleetInstance[] = [];
  let nginx: Awaited<ReturnType<typeof startNginx>> | null = null;
  try {
    let t = Date.now();
    await loadPool(etcd);
    console.log(`pool of ${SERVERS} written to etcd in ${((Date.now() - t) / 1000).toFixed(1)} s`);
    nginx = await startNginx(nginxBin, join(dir, 'nginx'), SERVERS, PORT);
    t = Date.now();
    for (let i = 0; i < INSTANCES; i++) {
      fleet.push(new FleetInstance({ node: process.execPath, dir, index: i, apiPort: API_BASE + i, etcd: etcd.hostPort, prefix: PREFIX, port: PORT, interval: INTERVAL }));
    }
    const rss = fleet.map(() => 0);
    const rssTimer = setInterval(() => fleet.forEach((f, i) => { try { rss[i] = Math.max(rss[i]!, rssOf(f.pid)); } catch { /* exited */ } }), 250);
    try {
      for (const [i, f] of fleet.entries()) {
        for (let k = 0; k < 600; k++) {
          const n = await f.metrics().then((m) => checkedHosts(parseMetrics(m)), () => 0);
          if (n >= SERVERS) break;
          if (k === 599) throw new Error(`instance ${i} checked only ${n} of ${SERVERS} servers in 5 minutes (see ${dir})`);
          await sleep(1000);
        }
      }
      console.log(`every instance checked every server ${((Date.now() - t) / 1000).toFixed(1)} s after start`);
      const before = await Promise.all(fleet.map(read));
      const rows: { kind: string; ms: (number | null)[] }[] = [];
      const end = Date.now() + SECONDS * 1000;
      for (let c = 0; c < CHANGES; c++) {
        const server = addressOf((c * 997 + 7) % SERVERS);
        rows.push({ kind: `weight 10 → 20 (${server})`, ms: await propagate(etcd, fleet, server, value(20)) });
        await sleep(500);
        rows.push({ kind: `pooled yes → no (${server})`, ms: await propagate(etcd, fleet, server, value(20, 'no')) });
        await sleep(500);
        await etcd.put(PREFIX + server, value(10));
        await sleep(1000);
      }
      while (Date.now() < end) await sleep(Math.min(1000, end - Date.now()));
      const after = await Promise.all(fleet.map(read));
      report(rows, before, after, rss);
    } finally { clearInterval(rssTimer); }
  } finally {
    for (const f of fleet) await f.stop();
    if (nginx) await stopNginx(nginx);
    await etcd.stop();
    if (!process.env.VIPD_BENCH_KEEP) rmSync(dir, { recursive: true, force: true });
  }
}

function report(rows: { kind: string; ms: (number | null)[] }[], before: Reading[], after: Reading[], rss: number[]): void {
  const fmt = (x: number | null): string => (x === null ? '> 10 s' : `${x} ms`);
  console.log('\npropagation: etcd write → each instance\'s dry-run batch naming the server');
  console.log(`| change | ${before.map((_, i) => `instance ${i + 1}`).join(' | ')} | slowest |`);
  console.log(`|---|${before.map(() => '---|').join('')}---|`);
  for (const r of rows) {
    const slowest = r.ms.some((x) => x === null) ? null : Math.max(...(r.ms as number[]));
    console.log(`| ${r.kind} | ${r.ms.map(fmt).join(' | ')} | ${fmt(slowest)} |`);
  }
  const all = rows.flatMap((r) => r.ms);
  const worst = all.some((x) => x === null) ? null : Math.max(...(all as number[]));
  console.log(`slowest of all: ${fmt(worst)} (target 1 s): ${worst !== null && worst <= 1000 ? 'met' : 'NOT met'}`);
  console.log(`\n${before.length} × ${SERVERS} realservers, interval ${INTERVAL} s, over ${SECONDS} s, load ${loadAverage()} at the end:`);
  console.log('| instance | CPU % of a core | max RSS | checks/s (target) | late % | missed |');
  console.log('|---|---|---|---|---|---|');
  for (let i = 0; i < before.length; i++) {
    const [b, a] = [before[i]!, after[i]!];
    const span = (a.at - b.at) / 1000;
    const d = (name: string): number => sum(a.samples, name) - sum(b.samples, name);
    const results = d('pybal_monitor_up_results_total') + d('pybal_monitor_down_results_total');
    const started = d('vipd_health_checks_started_total');
    console.log(`| ${i + 1} | ${((100 * (a.cpu - b.cpu)) / span).toFixed(1)} | ${(rss[i]! / 1048576).toFixed(0)} MB `
      + `| ${(results / span).toFixed(0)} (${(SERVERS / INTERVAL).toFixed(0)}) | ${started > 0 ? ((100 * d('vipd_health_checks_late_total')) / started).toFixed(2) : 'n/a'} | ${d('vipd_health_checks_missed_total')} |`);
  }
}

await main();
