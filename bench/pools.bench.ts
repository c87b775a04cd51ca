// Config and pool benchmark (issue 6): parse cost of a large pybal.conf and pool file, and the
// delay from a pool-file write to the source's update (fs.watch and polling-only), on a real fs.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseConfig } from '../src/config/index.js';
import { FileSource, parsePool } from '../src/pools/index.js';
import { systemClock } from '../src/time/clock.js';

const EDITS = 40;

/** Wall time per run, and this process's CPU time per run (what a shared, loaded machine does not inflate). */
function timeIt(label: string, runs: number, f: () => void): void {
  f();
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  for (let i = 0; i < runs; i++) f();
  const ms = (performance.now() - t0) / runs;
  const c = process.cpuUsage(c0);
  console.log(`${label}: ${ms.toFixed(2)} ms (CPU ${((c.user + c.system) / 1000 / runs).toFixed(2)} ms)`);
}

function bigConfig(services: number): string {
  const out = ['[global]', 'bgp = yes', 'bgp-local-asn = 64600', 'bgp-peer-address = [ "10.255.0.2" ]', 'bgp-nexthop-ipv4 = 10.255.0.1'];
  for (let i = 0; i < services; i++) {
    out.push(`[svc${i}]`, 'protocol = tcp', `ip = 10.2.${i >> 8}.${i & 255}`, 'port = 80', 'scheduler = wrr',
      `config = file:///etc/pybal/pools/svc${i}`, "monitors = [ 'ProxyFetch', 'IdleConnection', 'RunCommand' ]",
      "proxyfetch.url = [ 'http://localhost/healthz' ]", 'runcommand.command = /bin/true',
      "runcommand.arguments = [ '--host', server.host ]");
  }
  return out.join('\n') + '\n';
}

const pct = (xs: number[], p: number): number => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))]!;

async function editLatency(watch: boolean): Promise<number[]> {
  const dir = mkdtempSync(join(tmpdir(), 'vipd-bench-pools-'));
  const path = join(dir, 'web-servers');
  writeFileSync(path, "{ 'host': 'mw0', 'weight': 1, 'enabled': True }\n");
  let resolveNext: ((n: number) => void) | null = null;
  const src = new FileSource(pathToFileURL(path).href, { clock: systemClock, watch });
  src.start((s) => resolveNext?.(s[0]!.weight), () => {});
  await new Promise((r) => setTimeout(r, 100));
  const delays: number[] = [];
  for (let i = 2; i < EDITS + 2; i++) {
    const seen = new Promise<number>((r) => { resolveNext = r; });
    const t0 = performance.now();
    writeFileSync(path, `{ 'host': 'mw0', 'weight': ${i}, 'enabled': True }\n`);
    const timeout = new Promise<number>((r) => setTimeout(() => r(-1), 3000));
    if ((await Promise.race([seen, timeout])) !== i) throw new Error(`edit ${i} not seen within 3 s`);
    delays.push(performance.now() - t0);
    await new Promise((r) => setTimeout(r, 20 + Math.random() * 80));
  }
  await src.stop();
  rmSync(dir, { recursive: true, force: true });
  return delays;
}

const conf = bigConfig(500);
timeIt(`parse a pybal.conf of 500 services (${conf.split('\n').length} lines)`, 20, () => {
  const r = parseConfig(conf, 'bench.conf');
  if (!r.ok) throw new Error('config did not parse');
});
const legacy = Array.from({ length: 5000 }, (_, i) => `{ 'host': 'mw${i}.example.org', 'weight': 10, 'enabled': True }`).join('\n');
timeIt('parse a legacy pool file of 5,000 servers', 20, () => { parsePool(legacy, 'x'); });
// Bad lines (issue 11): a typo'd or truncated line must cost microseconds, as a good one does.
const BAD_LINES = [(i: number) => `{ 'host': 'mw${i}', 'weight': '10', 'enabled': True }`, (i: number) => `{ 'host': 'mw${i}', 'weight': 10, 'enabled': Tru }`,
  (i: number) => `{ 'host': 'mw${i}', 'weight': 10, 'enabled': True`, (i: number) => `@x${i}`, (i: number) => `[1, 2, ${i}]`];
const bad = Array.from({ length: 5000 }, (_, i) => BAD_LINES[i % BAD_LINES.length]!(i)).join('\n');
timeIt('parse a legacy pool file of 5,000 bad lines (5 kinds)', 20, () => { parsePool(bad, 'x'); });
const json = JSON.stringify(Object.fromEntries(Array.from({ length: 5000 }, (_, i) => [`mw${i}.example.org`, { enabled: true, weight: 10 }])));
timeIt('parse a JSON pool file of 5,000 servers', 20, () => { parsePool(json, 'x.json'); });
for (const watch of [true, false]) {
  const d = await editLatency(watch);
  console.log(`pool file write -> update (${watch ? 'fs.watch' : 'polling only'}), ${EDITS} edits: median ${pct(d, 0.5).toFixed(0)} ms, p95 ${pct(d, 0.95).toFixed(0)} ms, max ${Math.max(...d).toFixed(0)} ms`);
}
