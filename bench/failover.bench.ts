// npm run bench:failover — issue 7 §6: from the moment the only backend of a VIP fails to the VIP
// leaving the router's RIB (FRR and BIRD, polled), 10 runs per scenario:
//   (a) ProxyFetch interval 1 s, timeout 0.5 s, backend process killed (SIGKILL)
//   (b) the same backend hung (SIGSTOP)
//   (c) ProxyFetch + IdleConnection, backend process killed
//   (g) as (b) with `proxyfetch.timeout = auto` and `timeout-max = 0.5` (issue 16 §5): a fresh vipd
//       per run, each hang after 23 s of learning (20 checks); (h) the same vipd for every run, so
//       each hang after the first meets a window that remembers the previous one
//   (x) ExaBGP's healthcheck in vipd's place, hung backend (failover-exabgp.ts; only when named)
// plus the time from `vipd run` to the VIP in both RIBs, and from a backend's return to the VIP's;
//   (e) planned restarts with graceful restart, FRR, BIRD and GoBGP (failover-restart.ts).
// Two clocks: "wire" is the withdraw UPDATE to that router in a tcpdump capture (lower bound of the
// RIB change; BIRD and FRR apply it within a millisecond), "RIB" is the first poll of the router's
// RIB without the VIP (upper bound; one FRR poll costs ~125 ms of vtysh, one BIRD poll ~17 ms).
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { loopbackBlock } from '../test/lab/netns.js';
import type { Router } from '../test/lab/router.js';
import { findTool } from '../test/support/require-tool.js';
import { bgpGlobal, freePort, frrAndBird, legacyPool, Vipd, webService } from '../test/integration/e2e-helpers.js';
import { startCapture } from '../test/lab/capture.js';
import { execFileSync } from 'node:child_process';
import { plannedRestartCase } from './failover-restart.js';
import { bfdCases } from './failover-bfd.js';
import { exabgpHungCase } from './failover-exabgp.js';

const RUNS = Number(process.env.FAILOVER_RUNS ?? 10);
const PREFIX = '10.2.1.1/32';
const AUTO = ['proxyfetch.timeout = auto', 'proxyfetch.timeout-max = 0.5'];

interface BackendProc { proc: ChildProcess; stop(): void }

function startBackend(ip: string, port: number): Promise<BackendProc> {
  const code = `require('http').createServer((q,s)=>{s.end('ok')}).listen(${port},'${ip}',()=>process.stdout.write('up\\n'))`;
  const proc = spawn(process.execPath, ['-e', code], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    proc.stdout!.once('data', () => resolve({ proc, stop: () => { proc.kill('SIGKILL'); } }));
    proc.once('exit', (c) => reject(new Error(`backend exited ${c}`)));
  });
}

async function waitRib(r: Router, present: boolean, timeoutMs: number): Promise<number> {
  const until = performance.now() + timeoutMs;
  for (let i = 0; performance.now() < until && i < 100_000; i++) {
    const has = (await r.rib()).some((x) => x.prefix === PREFIX);
    if (has === present) return performance.now();
    await new Promise((res) => setTimeout(res, 2));
  }
  throw new Error(`${r.kind}: ${PREFIX} still ${present ? 'absent' : 'present'} after ${timeoutMs} ms`);
}

const stats = (all: number[]): string => {
  const s = all.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (s.length === 0) return 'no data';
  const med = s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
  return `median ${med.toFixed(0)} ms, min ${s[0]!.toFixed(0)} ms, max ${s.at(-1)!.toFixed(0)} ms (n=${s.length})`;
};

/** Wall-clock ms of each UPDATE withdrawing the VIP, per destination router. */
function withdrawTimes(file: string, speaker: string): Map<string, number[]> {
  const out = execFileSync('tshark', ['-r', file, '-d', 'tcp.port==179,bgp', '-Y', `ip.src == ${speaker} && bgp.withdrawn_prefix == 10.2.1.1`,
    '-T', 'fields', '-e', 'frame.time_epoch', '-e', 'ip.dst'], { encoding: 'utf8', maxBuffer: 1 << 24 });
  const m = new Map<string, number[]>();
  for (const line of out.trim().split('\n').filter(Boolean)) {
    const [ts, dst] = line.split('\t');
    m.set(dst!, [...(m.get(dst!) ?? []), Number(ts) * 1000]);
  }
  return m;
}

/** The learned ProxyFetch deadline of `host` now (ms; NaN when not shown). */
async function learnedDeadline(vipd: Vipd, host: string): Promise<number> {
  const body = (await vipd.get('/pools/web')).body as Record<string, { timeout?: Record<string, { deadlineMs: number }> }>;
  return body[host]?.timeout?.ProxyFetch?.deadlineMs ?? NaN;
}

interface Scenario { name: string; monitors: string; failure: 'kill' | 'stop'; timeout?: string[]; learnMs?: number; fresh?: boolean }
const sleep = (ms: number): Promise<unknown> => new Promise((res) => setTimeout(res, ms));

async function scenario(sc: Scenario, routers: Router[], lo: ReturnType<typeof loopbackBlock>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'vipd-bench-'));
  const ip = lo.router(10);
  const port = await freePort(lo.speaker);
  const apiPort = await freePort(lo.speaker);
  writeFileSync(join(dir, 'web.pools'), legacyPool([{ host: ip }]));
  const cfg = join(dir, 'vipd.conf');
  writeFileSync(cfg, `${bgpGlobal({ routers: routers.map((r) => r.ip), speaker: lo.speaker, apiPort })}
${webService(port, `${dir}/web.pools`, [`monitors = ${sc.monitors}`, "proxyfetch.url = [ 'http://web.example.org/' ]", 'proxyfetch.interval = 1', ...(sc.timeout ?? ['proxyfetch.timeout = 0.5']), 'idleconnection.interval = 1'])}`);
  const cap = await startCapture({ iface: 'lo', filter: `tcp port 179 and src host ${lo.speaker}`, file: join(dir, 'bgp.pcap') });
  let capStopped = false;
  const stopCap = async (): Promise<void> => { if (!capStopped) { capStopped = true; await cap.stop(); } };
  const failures: number[] = [];
  let backend = await startBackend(ip, port);
  const t0 = performance.now();
  let vipd = new Vipd(cfg, `${lo.speaker}:${apiPort}`);
  const down: Record<string, number[]> = {};
  /** timeout = auto: the learned deadline the check met by the hang (/pools/web); when vipd logged the server down. */
  const deadlines: number[] = [];
  const downLogged: number[] = [];
  const back: Record<string, number[]> = {};
  try {
    const start = await Promise.all(routers.map((r) => waitRib(r, true, 30_000)));
    console.log(`  ${sc.name}: vipd run → VIP in the RIB: ${routers.map((r, i) => `${r.kind} ${(start[i]! - t0).toFixed(0)} ms`).join(', ')}`);
    for (let run = 0; run < RUNS; run++) {
      if (sc.fresh && run > 0) {
        await vipd.stop();
        vipd = new Vipd(cfg, `${lo.speaker}:${apiPort}`);
        await Promise.all(routers.map((r) => waitRib(r, true, 30_000)));
      }
      if (sc.learnMs && (sc.fresh || run === 0)) await sleep(sc.learnMs); // timeout = auto: past its 20 checks of learning
      await sleep(300 + Math.random() * 700); // random phase against the check interval
      if (sc.timeout === AUTO) deadlines.push(await learnedDeadline(vipd, ip));
      const logFrom = vipd.lines.length;
      const failedAt = performance.now();
      failures.push(Date.now());
      backend.proc.kill(sc.failure === 'kill' ? 'SIGKILL' : 'SIGSTOP');
      const gone = await Promise.all(routers.map((r) => waitRib(r, false, 10_000)));
      routers.forEach((r, i) => (down[r.kind] ??= []).push(gone[i]! - failedAt));
      downLogged.push(Date.parse(vipd.lines.slice(logFrom).find((l) => l.msg.startsWith('server down'))?.ts ?? ''));
      if (sc.failure === 'stop') backend.proc.kill('SIGKILL');
      await new Promise((res) => backend.proc.exitCode !== null || backend.proc.signalCode !== null ? res(null) : backend.proc.once('exit', res));
      const returnAt = performance.now();
      backend = await startBackend(ip, port);
      const again = await Promise.all(routers.map((r) => waitRib(r, true, 10_000)));
      routers.forEach((r, i) => (back[r.kind] ??= []).push(again[i]! - returnAt));
    }
    await stopCap();
    const wire = withdrawTimes(cap.file, lo.speaker);
    // where the time goes: the hang waits for the next check (phase) plus its deadline, then the UPDATE path
    if (deadlines.length) console.log(`  ${sc.name}: learned deadline at hang time (/pools/web): ${stats(deadlines)}; each ${deadlines.join(', ')} ms`);
    console.log(`  ${sc.name}: failure → server down in vipd's log: ${stats(downLogged.map((d, i) => d - failures[i]!))}`);
    for (const r of routers) {
      const ws = failures.map((f) => (wire.get(r.ip) ?? []).find((w) => w >= f - 1) ?? NaN).map((w, i) => w - failures[i]!);
      console.log(`  ${sc.name}: failure → withdraw on the wire to ${r.kind}: ${stats(ws)}`);
      console.log(`  ${sc.name}: server down logged → withdraw on the wire to ${r.kind}: ${stats(ws.map((w, i) => w + failures[i]! - downLogged[i]!))}`);
      console.log(`  ${sc.name}: failure → VIP gone from ${r.kind}'s RIB (poll): ${stats(down[r.kind]!)}`);
      console.log(`  ${sc.name}: backend return → VIP back in ${r.kind}: ${stats(back[r.kind]!)}`);
    }
  } finally {
    await stopCap();
    backend.stop();
    await vipd.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  if (process.env.FAILOVER_SCENARIO === 'd' || process.env.FAILOVER_SCENARIO === 'f') return bfdCases(process.env.FAILOVER_SCENARIO);
  for (const tool of ['bird', 'birdc', '/usr/lib/frr/bgpd', 'vtysh']) {
    if (!findTool(tool)) { console.error(`failover bench: ${tool} not found; run test/lab/install-deps.sh`); process.exit(1); }
  }
  const lo = loopbackBlock();
  const routers: Router[] = [];
  const only = process.env.FAILOVER_SCENARIO;
  const scenarios: Scenario[] = [
    { name: '(a) ProxyFetch, killed', monitors: '[ "ProxyFetch" ]', failure: 'kill' },
    { name: '(b) ProxyFetch, hung (SIGSTOP)', monitors: '[ "ProxyFetch" ]', failure: 'stop' },
    { name: '(c) ProxyFetch + IdleConnection, killed', monitors: '[ "ProxyFetch", "IdleConnection" ]', failure: 'kill' },
    { name: '(g) ProxyFetch timeout = auto, hung (SIGSTOP), fresh vipd', monitors: '[ "ProxyFetch" ]', failure: 'stop', timeout: AUTO, learnMs: 23_000, fresh: true },
    { name: '(h) ProxyFetch timeout = auto, hung (SIGSTOP), repeated', monitors: '[ "ProxyFetch" ]', failure: 'stop', timeout: AUTO, learnMs: 23_000 },
  ].filter((sc) => !only || only.split(',').some((o) => sc.name.startsWith(`(${o})`))) as Scenario[];
  try {
    if (scenarios.length) await frrAndBird(lo, (r) => routers.push(r));
    for (const sc of scenarios) await scenario(sc, routers, lo);
    if (only?.split(',').includes('x')) {
      if (!routers.length) await frrAndBird(lo, (r) => routers.push(r));
      await exabgpHungCase({ routers, lo, runs: RUNS, startBackend, waitRib, stats });
    }
  } finally {
    for (const r of routers) await r.stop();
  }
  if (!only || only === 'e') {
    if (!findTool('gobgpd')) { console.error('failover bench (e): gobgpd not found; run test/lab/install-deps.sh'); process.exit(1); }
    await plannedRestartCase(lo, RUNS);
  }
  if (!only || only === 'd' || only === 'f') await bfdCases(only);
}

main().then(() => process.exit(0), (e: unknown) => { console.error(e); process.exit(1); });
