// The floor beside bench:scale (issue 13): vipd's native HTTP probe alone, in a node process of
// its own that does nothing else, checking the same nginx at the same rate (N a second, spread over
// each second). What it costs is the checks' own traffic on loopback (both ends of every TCP
// connection run in the kernel of this host) plus the probe: vipd's CPU above it is vipd's own work.
// Child: `node probe-floor.js N PORT SECONDS` prints one JSON line (ProbeFloor).
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { buildRequest } from '../src/health/monitors/http-probe.js';
import { nativeAddon, nativeAddonUnavailable } from '../src/health/monitors/native-addon.js';
import { addressOf } from './scale-nginx.js';

export interface ProbeFloor {
  /** Results per second over the measured window, and how many were HTTP 200. */
  checksPerS: number;
  okPct: number;
  /** Of one core over the window (after a 3 s warm-up), and of it the kernel's. */
  cpuPct: number;
  cpuSystemPct: number;
}

const WARMUP_MS = 3000;

/** Runs the floor in a child process (so its CPU is its own) against nginx on `servers` addresses. */
export function probeFloor(node: string, servers: number, port: number, seconds: number): Promise<ProbeFloor> {
  return new Promise((resolve, reject) => {
    const child = spawn(node, [fileURLToPath(import.meta.url), String(servers), String(port), String(seconds)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout!.on('data', (c: Buffer) => { out += c.toString(); });
    const timer = setTimeout(() => { child.kill('SIGKILL'); }, (seconds + 30) * 1000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      try { resolve(JSON.parse(out) as ProbeFloor); } catch { reject(new Error(`probe floor exited ${code}: ${out}`)); }
    });
  });
}

async function child(servers: number, port: number, seconds: number): Promise<ProbeFloor> {
  const addon = nativeAddon();
  if (!addon) throw new Error(`native addon unavailable: ${nativeAddonUnavailable()}`);
  let done = 0, ok = 0;
  addon.init((_slot, code) => { done++; if (code === 200) ok++; });
  const request = buildRequest('scale.example.org', '/healthz');
  const start = performance.now();
  let started = 0;
  // every 5 ms, the checks due by now: `servers` a second, each address in turn (bounded: ends with the run)
  const tick = setInterval(() => {
    const due = Math.floor(((performance.now() - start) / 1000) * servers);
    for (; started < due; started++) addon.start(addressOf(started % servers), port, request);
  }, 5);
  const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
  await sleep(WARMUP_MS);
  const cpu0 = process.cpuUsage(), t0 = performance.now(), done0 = done, ok0 = ok;
  await sleep(Math.max(1000, seconds * 1000 - WARMUP_MS));
  const cpu = process.cpuUsage(cpu0), ms = performance.now() - t0;
  const results = done - done0, oks = ok - ok0;
  clearInterval(tick);
  await sleep(1500); // the last checks end before the process does
  return {
    checksPerS: (results * 1000) / ms, okPct: results ? (100 * oks) / results : 0,
    cpuPct: (100 * (cpu.user + cpu.system)) / 1000 / ms, cpuSystemPct: (100 * cpu.system) / 1000 / ms,
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [servers, port, seconds] = process.argv.slice(2).map(Number) as [number, number, number];
  console.log(JSON.stringify(await child(servers, port, seconds)));
  process.exit(0);
}
