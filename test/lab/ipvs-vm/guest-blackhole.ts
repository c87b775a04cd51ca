// Runs INSIDE the IPVS guest, imported lazily by guest-scenarios.ts (issue 16 §6): network
// namespaces for a client and three realservers, the guest's own namespace as the director
// (wlc, NAT). Realserver 3 answers its health check (from the director's address) but resets
// client connections right after accepting them: on this kernel a dropped SYN counts as active,
// a reset does not, so the reset is what gives the seed's "few active, many inactive" pattern.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { route } from '../../../src/api/handler.js';
import { metricsText } from '../../../src/api/metrics.js';
import { takeSnapshot } from '../../../src/api/snapshot.js';
import { Daemon } from '../../../src/cli/run/daemon.js';
import { parseConnections } from '../../../src/lvs/index.js';
import { createPoolSource } from '../../../src/pools/create.js';
import { commandRunner } from '../../../src/process/command-runner.js';
import { secondsToMillis, systemClock } from '../../../src/time/clock.js';
import { until } from './guest-backends.js';
import type { GuestTools, StepResult } from './guest-daemon.js';

const VIP = '10.255.3.1';
const DIRECTOR = '10.255.1.1';
const RS = ['10.255.1.11', '10.255.1.12', '10.255.1.13'] as const;
const CLIENT = '10.255.2.2';

const TOPOLOGY = `set -e
modprobe veth; modprobe bridge
sysctl -qw net.ipv4.ip_forward=1
ip link add vbh0 type bridge; ip addr add ${DIRECTOR}/24 dev vbh0; ip link set vbh0 up
for i in 1 2 3; do
  ip netns add bhrs$i; ip link add vbh$i type veth peer name eth0 netns bhrs$i; ip link set vbh$i master vbh0 up
  ip -n bhrs$i addr add 10.255.1.1$i/24 dev eth0; ip -n bhrs$i link set eth0 up; ip -n bhrs$i link set lo up
  ip -n bhrs$i route add default via ${DIRECTOR}
done
ip netns add bhcl; ip link add vbhc type veth peer name eth0 netns bhcl
ip addr add 10.255.2.1/24 dev vbhc; ip link set vbhc up
ip -n bhcl addr add ${CLIENT}/24 dev eth0; ip -n bhcl link set eth0 up; ip -n bhcl route add default via 10.255.2.1
ip addr add ${VIP}/32 dev lo
`;

// A realserver: HTTP 200 to everyone, or (reset) to the director only; every client connection
// it accepts is counted in COUNT_FILE, written every 200 ms (whole: a file rewritten in place reads
// empty while it is truncated, and a count of 0 once failed the "no new connection" scenario).
const REALSERVER = `import { createServer } from 'node:net';
import { renameSync, writeFileSync } from 'node:fs';
const [host, mode, director, countFile] = process.argv.slice(2);
let clients = 0;
createServer((c) => {
  c.on('error', () => {});
  if (c.remoteAddress !== director) clients++;
  if (mode === 'reset' && c.remoteAddress !== director) { c.resetAndDestroy(); return; }
  c.on('data', () => c.write('HTTP/1.1 200 OK\\r\\ncontent-length: 3\\r\\n\\r\\nok\\n'));
}).listen(80, host);
setInterval(() => { writeFileSync(countFile + '.new', String(clients)); renameSync(countFile + '.new', countFile); }, 200);
`;

// Steady client traffic: a new connection to the VIP every 100 ms, each held 3 s.
const CLIENT_JS = `import { connect } from 'node:net';
setInterval(() => {
  const c = connect(80, '${VIP}', () => c.write('GET / HTTP/1.1\\r\\nhost: web\\r\\n\\r\\n'));
  c.on('error', () => {});
  setTimeout(() => c.destroy(), 3000);
}, 100);
`;

const conf = (pool: string, action: string) => `[global]\nbgp = no\nipvs-reconcile-interval = 5\nipvs-stats-interval = 1\n`
  + `blackhole-window = 5\nblackhole-action = ${action}\n\n[web]\nprotocol = tcp\nip = ${VIP}\nport = 80\nscheduler = wlc\n`
  + `ipvs-forwarding = nat\nconfig = file://${pool}\ndepool-threshold = .5\nmonitors = [ "ProxyFetch" ]\n`
  + `proxyfetch.url = [ 'http://web/' ]\nproxyfetch.interval = 0.5\nproxyfetch.timeout = 2\n`;

async function sh(script: string): Promise<void> {
  const r = await commandRunner.run('bash', ['-c', script], { env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin' }, timeoutMs: 30_000, maxOutputBytes: 1 << 20 });
  if (r.exitCode !== 0) throw new Error(`topology: rc ${r.exitCode}: ${r.stderr.trim()}`);
}

/** `ipvsadm -Ln --exact` of the VIP: address → [weight, active, inactive]. */
async function listing(): Promise<Map<string, [number, number, number]>> {
  const r = await commandRunner.run('ipvsadm', ['-Ln', '--exact'], { env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin' }, timeoutMs: 20_000, maxOutputBytes: 1 << 20 });
  const svc = parseConnections(r.stdout).find((s) => s.key.protocol === 'tcp' && s.key.address === VIP);
  return new Map((svc?.servers ?? []).map((s) => [s.address, [s.values.weight, s.values.active, s.values.inactive]]));
}

const show = (m: Map<string, [number, number, number]>) => [...m].map(([a, [w, ac, ina]]) => `${a} w${w} ${ac}/${ina}`).join(', ');

export async function blackholeScenario(tools: GuestTools): Promise<StepResult[]> {
  const dir = mkdtempSync(join(tmpdir(), 'vipd-blackhole-'));
  const procs: ChildProcess[] = [];
  const results: StepResult[] = [];
  let daemon: Daemon | null = null;
  const step = async (what: string, ms: number, check: () => Promise<string>): Promise<boolean> => {
    let problem: string;
    let took = 0;
    try { ({ problem, ms: took } = await until(what, ms, check)); } catch (e) { problem = e instanceof Error ? e.message : String(e); }
    results.push({ name: `black hole: ${what}`, ok: !problem, detail: problem || `ok in ${took} ms` });
    return !problem;
  };
  try {
    await sh(TOPOLOGY);
    writeFileSync(join(dir, 'rs.mjs'), REALSERVER);
    writeFileSync(join(dir, 'client.mjs'), CLIENT_JS);
    const count = (i: number) => join(dir, `count${i}`);
    RS.forEach((host, i) => procs.push(spawn('ip', ['netns', 'exec', `bhrs${i + 1}`, 'node', join(dir, 'rs.mjs'), host, i === 2 ? 'reset' : 'ok', DIRECTOR, count(i)], { stdio: 'ignore' })));
    const pool = join(dir, 'web.pools');
    writeFileSync(pool, RS.map((h) => `{ 'host': '${h}', 'weight': 10, 'enabled': True }\n`).join(''));
    const config = join(dir, 'vipd.conf');
    writeFileSync(config, conf(pool, 'alert'));
    const d = daemon = await Daemon.start({
      configPath: config, dryRun: false, stateDir: dir, clock: systemClock, log: tools.logger.child({ scenario: 'blackhole' }),
      poolSource: (svc, l) => createPoolSource(svc.pool, { clock: systemClock, logger: l, intervalMs: secondsToMillis(svc.poolInterval) }),
    });
    const ok = await step('all three realservers pooled (realserver 3 passes its health check)', 20_000, async () => {
      const m = await listing();
      return m.size === 3 ? '' : `ipvsadm -Ln: ${show(m)}`;
    });
    if (!ok) return results;
    procs.push(spawn('ip', ['netns', 'exec', 'bhcl', 'node', join(dir, 'client.mjs')], { stdio: 'ignore' }));
    // The client's node starts in ~12 s under TCG (README): the clocks below start at its first connection.
    const started = await until('the client connects', 40_000, async () => {
      const m = await listing();
      return [...m.values()].some(([, a, i]) => a + i > 0) ? '' : `ipvsadm -Ln: ${show(m)}`;
    });
    if (started.problem) {
      results.push({ name: 'black hole: ipvsadm -Ln shows the seed pattern: realserver 3 no active and many inactive, its peers active', ok: false, detail: started.problem });
      return results;
    }
    const t0 = Date.now();
    const snap = () => takeSnapshot(d.statusSource(), null);
    const alerts = () => (route('/alerts', snap())!.json as { status: string; msg: string });
    let seen = '';
    await step('ipvsadm -Ln shows the seed pattern: realserver 3 no active and many inactive, its peers active', 30_000, async () => {
      const m = await listing();
      seen = show(m);
      const [, a3, i3] = m.get(RS[2]) ?? [0, -1, -1];
      const peersActive = (m.get(RS[0])?.[1] ?? 0) + (m.get(RS[1])?.[1] ?? 0);
      return a3 === 0 && i3 >= 10 && peersActive >= 1 ? '' : `ipvsadm -Ln: ${seen}`;
    });
    await step("vipd's counters match ipvsadm -Ln (read just before and after vipd's own read)", 10_000, async () => {
      const before = await listing();
      await d.stats!.readOnce();
      const after = await listing();
      const mine = snap().counters?.servers ?? [];
      const off: string[] = [];
      for (const s of mine) {
        const b = before.get(s.server);
        const a = after.get(s.server);
        if (!b || !a) { off.push(`${s.server} not in ipvsadm -Ln`); continue; }
        const within = (v: number, x: number, y: number) => v >= Math.min(x, y) - 2 && v <= Math.max(x, y) + 2;
        if (s.weight !== b[0] || !within(s.active, b[1], a[1]) || !within(s.inactive, b[2], a[2])) {
          off.push(`${s.server}: vipd w${s.weight} ${s.active}/${s.inactive}, ipvsadm before ${b.join('/')} after ${a.join('/')}`);
        }
      }
      const m = metricsText(snap());
      const line = mine.find((s) => s.server === RS[2]);
      if (line && !m.includes(`vipd_realserver_inactive_connections{server="${RS[2]}",service="web"} ${line.inactive}.0`)) off.push('/metrics differs from the snapshot');
      return mine.length === 3 && !off.length ? '' : `${mine.length} servers read; ${off.join('; ')}`;
    });
    await step('/alerts names realserver 3, and neither 1 nor 2, within 40 s of the first client connection', Math.max(0, 40_000 - (Date.now() - t0)), async () => {
      const a = alerts();
      const names3 = a.msg.includes(`web: ${RS[2]} looks black-holed:`);
      const others = RS.slice(0, 2).some((h) => a.msg.includes(`${h} looks black-holed`));
      return a.status === 'warning' && names3 && !others ? '' : `/alerts: ${JSON.stringify(a)}; ipvsadm -Ln: ${show(await listing())}`;
    });
    // The budget of the depool: the verdict stands already (the alert above), so it is one stats
    // interval, the read in flight, the read that flags it, and the batch that removes it; each
    // read or batch is one or two ipvsadm runs, timed here under TCG; plus 5 s for a busy host.
    const t1 = Date.now();
    await listing();
    const ipvsadmMs = Date.now() - t1;
    const budget = Math.max(10_000, 1000 + 3 * 2 * ipvsadmMs + 5000);
    const reads0 = d.stats!.lastRead.reads;
    writeFileSync(config, conf(pool, 'depool'));
    const r0 = Date.now();
    if (!await d.reload()) throw new Error('the reload to blackhole-action = depool was rejected');
    const reloadMs = Date.now() - r0;
    const flat = await step(`blackhole-action = depool: realserver 3 leaves IPVS`, budget, async () => {
      const m = await listing();
      if (!m.has(RS[2]) && m.size === 2) return '';
      const r = d.stats!.lastRead;
      const rs3 = (route('/pools/web', snap())!.json as Record<string, unknown>)[RS[2]];
      return `ipvsadm -Ln: ${show(m)}; budget ${budget} ms (one ipvsadm run ${ipvsadmMs} ms), reload took ${reloadMs} ms; `
        + `${r.reads - reads0} counters reads since, the last waited ${r.waitedMs} ms behind IPVS batches and ran ${r.ranMs} ms; `
        + `/alerts ${JSON.stringify(alerts())}; /pools/web ${RS[2]}: ${JSON.stringify(rs3)}`;
    });
    if (flat) {
      const n = (i: number) => Number(readFileSync(count(i), 'utf8') || 0);
      const peers = () => n(0) + n(1);
      await new Promise((r) => setTimeout(r, 500)); // connections scheduled before the removal: accepted and counted (written every 200 ms)
      const [c0, p0] = [n(2), peers()];
      await new Promise((r) => setTimeout(r, 2000));
      const [c1, p1] = [n(2), peers()];
      // the traffic went on (to the peers: wlc may favour one of them for a while), none of it to realserver 3
      results.push({
        name: 'black hole: blackhole-action = depool: IPVS sends realserver 3 no new connection (2 s of traffic)',
        ok: c1 === c0 && p1 > p0,
        detail: `realserver 3 accepted ${c0} then ${c1}; its peers ${p0} then ${p1} (${n(0)}, ${n(1)}); reason: ${JSON.stringify((route('/pools/web', snap())!.json as Record<string, { reason?: string }>)[RS[2]]?.reason)}`,
      });
    }
    return results;
  } catch (e) {
    results.push({ name: 'black hole: setup', ok: false, detail: e instanceof Error ? e.message : String(e) });
    return results;
  } finally {
    for (const p of procs) p.kill('SIGKILL');
    await daemon?.stop();
    await tools.byHand('-C').catch(() => '');
  }
}
