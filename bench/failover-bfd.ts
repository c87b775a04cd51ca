// Issue 14 §5, BFD cases of `npm run bench:failover` (FAILOVER_SCENARIO=d or f runs one of them):
//  (d) a balancer dying as the routers see it, no FIN, no NOTIFICATION: vipd frozen (SIGSTOP), and
//      vipd killed (SIGKILL) after its link was cut (its addresses flushed from the veth, so the
//      kernel sends nothing and the router's link stays up, as behind a switch). BFD 100 ms x 3:
//      from the failure to the VIP gone from FRR's and BIRD's RIB (polled), FAILOVER_RUNS runs each.
//  (f) BFD under load: `--minutes N` (default 10) of the heaviest health load (BENCH_BFD_SERVERS
//      ProxyFetch checks per second against nginx, default 19,000, the health benchmark's maximum)
//      plus an API flood (32 clients on /pools, /bgp, /metrics, /alerts), 100 ms x 3 to FRR and
//      BIRD: BFD flaps seen by vipd and by the routers, and the intervals between vipd's BFD packets
//      on the wire (tcpdump): p50, p99, max, and how many exceeded the 100 ms interval.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createNetns, type Netns } from '../test/lab/netns.js';
import { startRouter, type Router } from '../test/lab/router.js';
import { routerBfdState, frrBfdPeer } from '../test/lab/routers/bfd-state.js';
import { birdc } from '../test/lab/routers/bird.js';
import { sh, sleep, waitFor } from '../test/lab/proc.js';
import { startCapture, type Capture } from '../test/lab/capture.js';
import { findTool } from '../test/support/require-tool.js';
import { freePort, Vipd } from '../test/integration/e2e-helpers.js';
import { bfdConfig, peerViews } from '../test/integration/bfd-helpers.js';

const RUNS = Number(process.env.FAILOVER_RUNS ?? 10);
const VIP = '10.2.9.1/32';
const INTERVAL = 100;

const pct = (s: number[], p: number): number => s[Math.min(s.length - 1, Math.floor((s.length - 1) * p))] ?? NaN;
function summary(xs: number[]): string {
  const s = [...xs].sort((a, b) => a - b);
  if (!s.length) return 'no data';
  const med = s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
  return `median ${med.toFixed(0)} ms, min ${s[0]!.toFixed(0)} ms, max ${s.at(-1)!.toFixed(0)} ms (n=${s.length})`;
}

async function lab(kind: 'frr' | 'bird'): Promise<{ ns: Netns; router: Router }> {
  const ns = await createNetns();
  try {
    return { ns, router: await startRouter({ kind, routerIp: ns.nsIp, speakerIp: ns.hostIp, netns: ns.name, bfd: { intervalMs: INTERVAL, multiplier: 3 } }) };
  } catch (e) { await ns.destroy(); throw e; }
}

/** The router daemons' pid files: what runs its BFD and BGP. */
const ROUTER_PIDS: Record<'frr' | 'bird', string[]> = { frr: ['bfdd.pid', 'zebra.pid', 'bgpd.pid'], bird: ['bird.pid'] };

/**
 * (f) measures vipd under load, not the lab routers: a real router's BFD runs on its own CPU or at
 * real-time priority, so every thread of the router's daemons goes SCHED_FIFO 20 (above vipd's
 * BFD thread at 10: docs/bfd.md). Returns what it did, for the figures.
 */
async function realtimeRouter(r: Router): Promise<string> {
  const pids = ROUTER_PIDS[r.kind as 'frr' | 'bird'].map((f) => Number(readFileSync(join(r.dir, f), 'utf8').trim()));
  for (const pid of pids) await sh('chrt', ['-a', '-f', '-p', '20', String(pid)]);
  const policies = await Promise.all(pids.map(async (p) => `${p}: ${(await sh('chrt', ['-p', String(p)])).split('\n')[0]?.replace(/^.*: /, '') ?? '?'}`));
  return `${r.kind} ${policies.join(', ')}`;
}

async function ribHas(r: Router, present: boolean, timeoutMs: number): Promise<number> {
  return waitFor(`${r.kind} RIB ${present ? 'with' : 'without'} ${VIP}`, timeoutMs, async () =>
    ((await r.rib()).some((x) => x.prefix === VIP) === present ? performance.now() : undefined), 1);
}

/** (d) for one router: `runs` of each failure, a fresh vipd each time. */
async function dyingBalancer(kind: 'frr' | 'bird'): Promise<void> {
  const { ns, router } = await lab(kind);
  const dir = mkdtempSync(join(tmpdir(), 'vipd-bench-bfd-'));
  try {
    for (const failure of ['SIGSTOP', 'link cut + SIGKILL'] as const) {
      const times: number[] = [];
      for (let run = 0; run < RUNS; run++) {
        const port = await freePort('127.0.0.1');
        writeFileSync(join(dir, 'vipd.conf'), bfdConfig({ peers: [{ router: ns.nsIp, speaker: ns.hostIp }], apiIp: '127.0.0.1', apiPort: port, intervalMs: INTERVAL, vip: VIP }));
        const v = new Vipd(join(dir, 'vipd.conf'), `127.0.0.1:${port}`, ['-n', '--allow-empty']);
        try {
          await v.waitApi(15_000);
          await ribHas(router, true, 20_000);
          await waitFor('BFD Up', 15_000, async () => (await peerViews(v))[0]?.bfd?.state === 'Up' && (await routerBfdState(router)) === 'up');
          await sleep(200 + Math.random() * 500); // a random phase against the BFD packets
          const t0 = performance.now();
          if (failure === 'SIGSTOP') v.signal('SIGSTOP');
          else {
            await sh('ip', ['addr', 'flush', 'dev', ns.hostIf]);
            v.signal('SIGKILL');
          }
          times.push((await ribHas(router, false, 10_000)) - t0);
        } finally {
          v.signal('SIGCONT');
          v.signal('SIGKILL');
          await v.exited;
          if (failure !== 'SIGSTOP') {
            await sh('ip', ['addr', 'replace', `${ns.hostIp}/30`, 'dev', ns.hostIf]);
            await sh('ip', ['-6', 'addr', 'replace', `${ns.hostIp6}/64`, 'dev', ns.hostIf, 'nodad']);
          }
          await waitFor(`${kind} BGP session gone`, 40_000, async () => !(await router.established()));
        }
      }
      console.log(`  (d) ${failure}, BFD ${INTERVAL} ms x 3 → VIP gone from ${kind}'s RIB (poll): ${summary(times)}`);
    }
  } finally {
    await router.stop();
    await ns.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
}

function minutesArg(): number {
  const i = process.argv.indexOf('--minutes');
  const v = i >= 0 ? Number(process.argv[i + 1]) : 10;
  if (!Number.isFinite(v) || v <= 0 || v > 24 * 60) throw new Error(`failover bench: --minutes must be a positive number, got '${process.argv[i + 1]}'`);
  return v;
}

/** nginx answering 200 on every address at `port` (workers: 1), as the health benchmark's. */
async function nginx(dir: string, port: number): Promise<ChildProcess> {
  for (const d of ['body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']) mkdirSync(join(dir, d), { recursive: true });
  writeFileSync(join(dir, 'nginx.conf'), `worker_processes 1;\ndaemon off;\npid ${dir}/nginx.pid;\nerror_log ${dir}/error.log crit;
events { worker_connections 16384; }\nhttp { access_log off;\n  client_body_temp_path ${dir}/body; proxy_temp_path ${dir}/proxy; fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi; scgi_temp_path ${dir}/scgi;
  server { ${Array.from({ length: 20 }, (_, i) => `listen 127.46.0.${i + 1}:${port} backlog=4096;`).join(' ')}
    location / { default_type text/plain; return 200 "ok\\n"; } } }\n`);
  const child = spawn(findTool('nginx') ?? 'nginx', ['-p', dir, '-c', join(dir, 'nginx.conf'), '-e', join(dir, 'error.log')], { stdio: 'inherit' });
  await sleep(500);
  if (child.exitCode !== null) throw new Error('nginx did not start');
  return child;
}

/** `rate` checks per second: services of 20 servers (nginx's 20 addresses), ProxyFetch every second. */
function loadServices(dir: string, port: number, rate: number): string {
  const services = Math.ceil(rate / 20);
  writeFileSync(join(dir, 'web.pools'), Array.from({ length: 20 }, (_, i) => `{ 'host': '127.46.0.${i + 1}', 'weight': 10, 'enabled': True }`).join('\n') + '\n');
  return Array.from({ length: services }, (_, i) => [`[web${i}]`, 'protocol = tcp', `ip = 10.3.${i >> 8}.${i & 255}`, `port = ${port}`, 'scheduler = wrr',
    `config = file://${dir}/web.pools`, 'monitors = [ "ProxyFetch" ]', "proxyfetch.url = [ 'http://web.example.org/' ]",
    'proxyfetch.interval = 1', 'proxyfetch.timeout = 0.5', 'bgp = no', ''].join('\n')).join('\n');
}

/** 32 API clients, each from its own loopback address (the API limits each client), in a separate process; prints "requests answered200" on SIGTERM. */
function apiFlood(api: string): ChildProcess {
  const [host, port] = api.split(':');
  const code = `const http=require('http');let n=0,ok=0,stop=false;const paths=['/pools','/bgp','/metrics','/alerts'];
process.on('SIGTERM',()=>{stop=true;setTimeout(()=>{process.stdout.write(n+' '+ok);process.exit(0)},300)});
const get=(i)=>new Promise((res)=>{const q=http.get({host:'${host}',port:${port},path:paths[(n+i)%4],localAddress:'127.47.0.'+(i+1)},(r)=>{r.resume();r.on('end',()=>{n++;if(r.statusCode===200)ok++;res()})});q.on('error',()=>setTimeout(res,10))});
async function w(i){while(!stop)await get(i)}
for(let i=0;i<32;i++)w(i);`;
  return spawn(process.execPath, ['-e', code], { stdio: ['ignore', 'pipe', 'inherit'] });
}

/** Intervals (ms) between vipd's BFD packets in a capture. */
function intervals(file: string, src: string): number[] {
  const out = execFileSync('tshark', ['-r', file, '-Y', `ip.src == ${src}`, '-T', 'fields', '-e', 'frame.time_epoch'], { encoding: 'utf8', maxBuffer: 1 << 28 });
  const ts = out.trim().split('\n').filter(Boolean).map((x) => Number(x) * 1000);
  return ts.slice(1).map((t, i) => t - ts[i]!);
}

/** The router's packets saying Down or AdminDown while vipd said Up (a flap the router declared), with vipd's longest silence in the second before. */
function routerDowns(file: string, vipd: string): string[] {
  const out = execFileSync('tshark', ['-r', file, '-T', 'fields', '-e', 'frame.time_epoch', '-e', 'ip.src', '-e', 'bfd.sta', '-e', 'bfd.diag'], { encoding: 'utf8', maxBuffer: 1 << 28 });
  const rows = out.trim().split('\n').filter(Boolean).map((l) => l.split('\t')).map(([t, src, sta, diag]) => ({ t: Number(t) * 1000, src, sta: Number(sta), diag: Number(diag) }));
  const found: string[] = [];
  let prevRouter = 3;
  for (const [i, r] of rows.entries()) {
    if (r.src === vipd) continue;
    if (r.sta <= 1 && prevRouter === 3) {
      const mine = rows.slice(0, i).filter((x) => x.src === vipd && x.t > r.t - 1000).map((x) => x.t);
      const gap = Math.max(0, ...mine.slice(1).map((x, j) => x - mine[j]!), mine.length ? r.t - mine.at(-1)! : 0);
      found.push(`${new Date(r.t).toISOString()} state ${r.sta} diag ${r.diag} (vipd's longest silence in the second before: ${gap.toFixed(1)} ms)`);
    }
    prevRouter = r.sta;
  }
  return found;
}

/** (f) BFD under the heaviest health load plus an API flood, to FRR and BIRD at once. */
async function underLoad(): Promise<void> {
  const minutes = minutesArg();
  const rate = Number(process.env.BENCH_BFD_SERVERS ?? 19_000);
  const labs = [await lab('frr'), await lab('bird')];
  for (const l of labs) console.log(`  (f) router threads at real-time priority: ${await realtimeRouter(l.router)}`);
  const dir = mkdtempSync(join(tmpdir(), 'vipd-bench-bfdload-'));
  const caps: Capture[] = [];
  let web: ChildProcess | null = null;
  let flood: ChildProcess | null = null;
  let v: Vipd | null = null;
  try {
    const port = await freePort('127.0.0.1');
    const apiPort = await freePort('127.0.0.1');
    web = await nginx(join(dir, 'nginx'), port);
    writeFileSync(join(dir, 'vipd.conf'), bfdConfig({
      peers: labs.map((l) => ({ router: l.ns.nsIp, speaker: l.ns.hostIp })), apiIp: '127.0.0.1', apiPort, intervalMs: INTERVAL,
      extra: ['pool-max-servers = 1000000'],
    }) + '\n' + loadServices(dir, port, rate));
    v = new Vipd(join(dir, 'vipd.conf'), `127.0.0.1:${apiPort}`, ['-n']);
    await v.waitApi(60_000);
    // the routers' view: with 19,000 servers vipd's /bgp may answer "status unavailable" for a while
    await waitFor('BFD Up with both routers', 120_000, async () => (await Promise.all(labs.map((l) => routerBfdState(l.router)))).every((st) => st === 'up'), 200);
    await sleep(1000);
    for (const l of labs) caps.push(await startCapture({ iface: l.ns.hostIf, filter: 'udp port 3784', file: join(dir, `${l.router.kind}.pcap`) }));
    const birdSince = (await birdc(labs[1]!.router.options, 'show', 'bfd', 'sessions')).split('\n').find((x) => x.includes(labs[1]!.ns.hostIp));
    flood = apiFlood(`127.0.0.1:${apiPort}`);
    const cpu0 = cpuTicks(v.pid);
    const checks0 = await checksDone(v);
    const t0 = performance.now();
    let fdMax = 0;
    for (let left = minutes * 60_000; left > 0; left -= 10_000) { await sleep(Math.min(left, 10_000)); fdMax = Math.max(fdMax, openFds(v.pid)); }
    const cpuS = (cpuTicks(v.pid) - cpu0) / 100;
    const seconds = (performance.now() - t0) / 1000;
    const [requests, answered] = await new Promise<number[]>((resolve) => { let s = ''; flood!.stdout!.on('data', (d: Buffer) => { s += d.toString(); }); flood!.once('exit', () => resolve(s.split(' ').map(Number))); flood!.kill('SIGTERM'); });
    flood = null;
    await sleep(1500); // past the API's rate limit window: the flood was mostly answered 429
    const checks = (await checksDone(v)) - checks0;
    for (const c of caps) await c.stop();
    const views = await waitFor('vipd /bgp', 60_000, () => peerViews(v!), 500).catch(() => []);
    const frr = await frrBfdPeer(labs[0]!.router);
    const birdNow = (await birdc(labs[1]!.router.options, 'show', 'bfd', 'sessions')).split('\n').find((x) => x.includes(labs[1]!.ns.hostIp));
    console.log(`  (f) ${minutes} min, ${rate} ProxyFetch checks/s configured, ${(checks / seconds).toFixed(0)} done, API flood ${(requests! / seconds).toFixed(0)} requests/s (${(answered! / seconds).toFixed(0)}/s answered 200, the rest rate-limited), vipd CPU ${(100 * cpuS / seconds).toFixed(0)}% of a core`);
    console.log(`  (f) vipd's open descriptors: at most ${fdMax} (sampled every 10 s), now ${openFds(v.pid)}, limit ${fdLimit(v.pid)}`);
    console.log(`  (f) BFD flaps seen by vipd: ${views.map((p) => `${p.peer} ${p.bfd?.flaps ?? '?'}`).join(', ')}; ` +
      `FRR: session up ${String(frr['uptime'] ?? '?')} s; BIRD: ${birdNow === birdSince ? 'same session (Since unchanged)' : `changed: ${birdSince} → ${birdNow}`}`);
    for (const l of v.lines.filter((x) => x.msg.startsWith('BFD ') && x.msg.includes('->'))) console.log(`  (f) vipd log: ${l.ts} ${l.msg} ${String(l.peer)} (${String(l.diag)})`);
    // a BGP reset under load (hold timer, NOTIFICATION) restarts the router's BFD too: print why
    for (const l of v.lines.filter((x) => x.msg === 'session down' || x.msg.startsWith('NOTIFICATION'))) console.log(`  (f) vipd log: ${l.ts} ${l.msg} ${String(l.peer)} ${String(l.reason ?? l.name ?? '')}`);
    for (const l of v.lines.filter((x) => x.level === 'error').slice(0, 10)) console.log(`  (f) vipd error: ${l.ts} ${l.msg}`);
    for (const p of views) console.log(`  (f) vipd /bgp ${p.peer}: lastDownReason ${String(p.lastDownReason ?? null)}`);
    console.log(`  (f) vipd ${(await v.get('/metrics', false).then((r) => r.body as string, (e: unknown) => `/metrics failed: ${String(e)}`)).split('\n').filter((l) => l.startsWith('vipd_event_loop_lag_seconds')).join('; ')}`);
    for (const [i, l] of labs.entries()) {
      for (const d of routerDowns(caps[i]!.file, l.ns.hostIp)) console.log(`  (f) ${l.router.kind} said Down: ${d}`);
      const iv = intervals(caps[i]!.file, l.ns.hostIp).sort((a, b) => a - b);
      console.log(`  (f) vipd → ${l.router.kind} BFD packet intervals (RFC 5880 §6.8.7: 75–100 ms): p50 ${pct(iv, 0.5).toFixed(1)} ms, ` +
        `p99 ${pct(iv, 0.99).toFixed(1)} ms, max ${(iv.at(-1) ?? NaN).toFixed(1)} ms, over 100 ms: ${iv.filter((x) => x > 100).length} of ${iv.length}`);
    }
  } catch (e) {
    if (v) console.log(`  (f) failed; vipd's errors and last lines:\n${v.lines.filter((l) => l.level === 'error' || l.level === 'raw').slice(-20).map((l) => JSON.stringify(l)).join('\n')}\n${v.tail(10)}`);
    throw e;
  } finally {
    flood?.kill('SIGKILL');
    for (const c of caps) await c.stop().catch(() => undefined);
    if (v) await v.stop();
    web?.kill('SIGTERM');
    for (const l of labs) { await l.router.stop(); await l.ns.destroy(); }
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Health checks finished so far: PyBal's up + down result counters in /metrics. */
async function checksDone(v: Vipd): Promise<number> {
  // at 19,000 servers under the flood the API may not answer; the other figures do not need it
  const text = await v.get('/metrics', false).then((r) => r.body as string, () => '');
  if (!text) return NaN;
  return text.split('\n').filter((l) => /^pybal_monitor_(up|down)_results_total\{/.test(l)).reduce((n, l) => n + Number(l.split(' ').at(-1)), 0);
}

function openFds(pid: number): number {
  return readdirSync(`/proc/${pid}/fd`).length;
}

function fdLimit(pid: number): string {
  return readFileSync(`/proc/${pid}/limits`, 'utf8').split('\n').find((l) => l.startsWith('Max open files'))?.replace(/\s+/g, ' ').trim() ?? '?';
}

function cpuTicks(pid: number): number {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return Number(f[11]) + Number(f[12]);
}

/** Runs (d) and/or (f): `only` is FAILOVER_SCENARIO ('d', 'f', or undefined for both). */
export async function bfdCases(only: string | undefined): Promise<void> {
  for (const tool of ['ip', 'tcpdump', 'tshark', 'bird', 'birdc', '/usr/lib/frr/bfdd', '/usr/lib/frr/zebra', 'vtysh', ...(only === 'd' ? [] : ['nginx', 'chrt'])]) {
    if (!findTool(tool)) throw new Error(`failover bench (BFD): ${tool} not found; run test/lab/install-deps.sh`);
  }
  if (!only || only === 'd') for (const kind of ['frr', 'bird'] as const) await dyingBalancer(kind);
  if (!only || only === 'f') await underLoad();
}
