// Scale benchmark (issue 13): `npm run bench:scale -- [--seconds 120] [--runs 3] [--servers 10000,1000]`.
// vipd from dist (`run -n`: dry-run IPVS, bgp = no) with 10,000 realservers at interval 1 s
// (ProxyFetch against nginx on 10,000 loopback addresses, bench/scale-nginx.ts), measured from
// start for --seconds, then every backend killed at once; the same with 1,000 realservers in the
// same run, wrk against the same nginx as the ceiling, and vipd's native probe alone at the largest
// size's rate as the floor (bench/probe-floor.ts: what the checks' loopback traffic costs by
// itself). Medians of --runs. Needs `npm run build`
// first (bench.mjs builds only the bench). Run under `flock /tmp/vipd-cpu.lock` on a shared machine.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findTool } from '../test/support/require-tool.js';
import { probeFloor, type ProbeFloor } from './probe-floor.js';
import { startNginx, stopNginx, wrkRate } from './scale-nginx.js';
import { scaleRun, type ScaleFigures } from './scale-run.js';
import { loadAverage } from './soak-metrics.js';
import { measureTransitionCost } from './coordinator-transition.js';

function arg(name: string, def: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1]! : def;
}
const SECONDS = Number(arg('seconds', '120'));
const RUNS = Number(arg('runs', '3'));
const SIZES = arg('servers', '10000,1000').split(',').map(Number);
if (!(SECONDS > 0) || !(RUNS > 0) || SIZES.some((n) => !(n > 0 && n <= 10_000))) {
  console.error('bench:scale: --seconds and --runs must be positive, --servers a list of counts up to 10000');
  process.exit(2);
}
const PORT = 21000 + (process.pid % 4000);
const API_PORT = 25000 + (process.pid % 4000);

function need(name: string): string {
  const p = findTool(name);
  if (!p) { console.error(`bench:scale: ${name} not found; run test/lab/install-deps.sh as root`); process.exit(1); }
  return p;
}

/** Issue 13 §1/§6: the CPU cost of one transition with N realservers (bench/coordinator-transition.ts). */
async function transitionCost(servers: number): Promise<string> {
  const r = await measureTransitionCost(servers);
  return `${r.usPerTransition.toFixed(1)} µs (pools of 100), ${r.usPerTransitionOnePool.toFixed(1)} µs (one pool)`;
}

const median = (xs: number[]): number => { const s = [...xs].sort((a, b) => a - b); return s.length ? s[Math.floor((s.length - 1) / 2)]! : NaN; };
function med(rows: ScaleFigures[], f: (r: ScaleFigures) => number | null): string {
  const xs = rows.map(f).filter((x): x is number => x !== null && Number.isFinite(x));
  if (!xs.length) return 'n/a';
  const m = median(xs);
  return Math.abs(m) >= 100 ? m.toFixed(0) : m.toFixed(2);
}

async function main(): Promise<void> {
  if (!existsSync('dist/cli/main.js')) { console.error('bench:scale: dist/cli/main.js missing: run `npm run build` first'); process.exit(1); }
  const nginx = need('nginx');
  const wrk = need('wrk');
  const dir = mkdtempSync(join(tmpdir(), 'vipd-scale-'));
  const bySize = new Map<number, ScaleFigures[]>(SIZES.map((n) => [n, []]));
  const ceilings: number[] = [];
  const floors: ProbeFloor[] = [];
  const largest = Math.max(...SIZES);
  console.log(`bench:scale: ${SIZES.join(' and ')} realservers, interval 1 s, ${SECONDS} s each, ${RUNS} run(s), load ${loadAverage()}, dir ${dir}`);
  try {
    for (let run = 1; run <= RUNS; run++) {
      for (const n of SIZES) {
        const web = await startNginx(nginx, join(dir, `nginx-${n}`), n, PORT);
        try {
          const f = await scaleRun({ node: process.execPath, dir, servers: n, port: PORT, apiPort: API_PORT, seconds: SECONDS, kill: () => stopNginx(web) });
          bySize.get(n)!.push(f);
          console.log(`run ${run}, ${n} servers: ${JSON.stringify(f)}`);
        } finally { await stopNginx(web); }
      }
      const web = await startNginx(nginx, join(dir, 'nginx-wrk'), 1, PORT);
      try { ceilings.push(wrkRate(wrk, PORT)); } finally { await stopNginx(web); }
      console.log(`run ${run}: wrk -c32 'Connection: close' ${ceilings.at(-1)!.toFixed(0)} req/s`);
      const floorWeb = await startNginx(nginx, join(dir, 'nginx-floor'), largest, PORT);
      try { floors.push(await probeFloor(process.execPath, largest, PORT, Math.min(SECONDS, 60))); } finally { await stopNginx(floorWeb); }
      console.log(`run ${run}: the native probe alone at ${largest}/s: ${JSON.stringify(floors.at(-1))}`);
    }
  } finally {
    // VIPD_SCALE_KEEP=1 keeps vipd's logs (with VIPD_SCALE_NODE_ARGS='--trace-gc', its GC lines) for reading.
    if (process.env.VIPD_SCALE_KEEP === '1') console.log(`bench:scale: kept ${dir}`);
    else rmSync(dir, { recursive: true, force: true });
  }
  console.log(`\nmedians of ${RUNS} run(s), ${SECONDS} s each, load ${loadAverage()} at the end:`);
  console.log('| servers | checks/s after first round (target) | late % after first round (from start) | missed | CPU % of a core (of it kernel) | all checked after start | first round | VIP announced after start | max RSS | /metrics max (failed) | loop lag max | main-thread full GCs/s | killed → VIP withdrawn (/vips; log) | transition cost |');
  console.log('|---|---|---|---|---|---|---|---|---|---|---|---|---|---|');
  for (const [n, rows] of bySize) {
    console.log(`| ${n} | ${med(rows, (r) => r.checksPerS)} (${n}) | ${med(rows, (r) => r.latePct)} (${med(rows, (r) => r.latePctAll)}) | ${med(rows, (r) => r.missed)} | ${med(rows, (r) => r.cpuPct)} (${med(rows, (r) => r.cpuSystemPct)}) `
      + `| ${med(rows, (r) => r.allCheckedS)} s | ${med(rows, (r) => r.firstRoundS)} s | ${med(rows, (r) => r.announcedS)} s | ${med(rows, (r) => r.rssMaxMb)} MB | ${med(rows, (r) => r.metricsMaxMs)} ms (${med(rows, (r) => r.metricsFailed)}) | ${med(rows, (r) => r.loopLagMaxMs)} ms | ${med(rows, (r) => r.majorGcPerS)} `
      + `| ${med(rows, (r) => r.withdrawS)} s; ${med(rows, (r) => r.withdrawLogS)} s | ${await transitionCost(n)} |`);
  }
  console.log(`| wrk (ceiling) | ${median(ceilings).toFixed(0)} req/s, new connection each | | | | | | | | | | | | |`);
  const fm = (f: (x: ProbeFloor) => number): string => median(floors.map(f)).toFixed(floors.length ? 1 : 0);
  console.log(`| the native probe alone (floor) | ${fm((x) => x.checksPerS)} (${largest}), ${fm((x) => x.okPct)}% HTTP 200 | | | ${fm((x) => x.cpuPct)} (${fm((x) => x.cpuSystemPct)}) | | | | | | | | | |`);
}

await main();
