// Issue 16 benchmark: the CPU cost of one counters read at 10,000 realservers, vipd's side: the
// two listings (`ipvsadm -Ln --exact`, `-Ln --rate --exact`, in ipvsadm's exact format) parsed in
// slices, joined, the /metrics view built and the black-hole rule run over a full window, through
// the real IpvsadmDriver and IpvsStats (a CommandRunner that answers with the listing text; the
// ipvsadm process and the kernel's netlink dump are not in these figures). Also the longest the
// event loop was held during a read (issue 13 §5: under 50 ms).
// Run: npm run bench -- counters (add `flock /tmp/vipd-cpu.lock nice` on a shared machine).
import { IpvsStats } from '../src/cli/run/ipvs-stats.js';
import type { ServiceConfig } from '../src/config/index.js';
import { silentLogger } from '../src/log/logger.js';
import { IpvsadmDriver, IpvsReconciler, type ServiceKey } from '../src/lvs/index.js';
import type { CommandRunner, RunResult } from '../src/process/command-runner.js';
import { FakeClock } from '../test/support/fake-clock.js';

const READS = 30;
const pad = (s: string, n: number) => s.padEnd(n);
const addr = (i: number) => `10.255.${100 + Math.floor(i / 250)}.${(i % 250) + 1}`;
const rsAddr = (j: number) => `10.${1 + Math.floor(j / 62500)}.${Math.floor(j / 250) % 250}.${(j % 250) + 1}`;

function listings(services: number, servers: number): { ln: string; rate: string } {
  const ln = ['IP Virtual Server version 1.2.1 (size=4096)', 'Prot LocalAddress:Port Scheduler Flags',
    '  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn'];
  const rate = ['IP Virtual Server version 1.2.1 (size=4096)', 'Prot LocalAddress:Port                 CPS    InPPS   OutPPS    InBPS   OutBPS',
    '  -> RemoteAddress:Port'];
  for (let i = 0; i < services; i++) {
    ln.push(`TCP  ${addr(i)}:80 wlc`);
    rate.push(`${pad(`TCP  ${addr(i)}:80`, 35)}${[900, 12000, 11000, 4100000, 90000000].map((n) => String(n).padStart(9)).join('')}`);
    for (let j = 0; j < servers; j++) {
      const n = i * servers + j;
      ln.push(`  -> ${pad(`${rsAddr(n)}:80`, 29)}Masq    10     ${pad(String(20 + (n % 17)), 11)}${pad(String(300 + (n % 101)), 10)}`);
      rate.push(`  -> ${pad(`${rsAddr(n)}:80`, 31)}${[9, 120, 110, 41000, 900000].map((x) => String(x).padStart(9)).join('')}`);
    }
  }
  return { ln: ln.join('\n') + '\n', rate: rate.join('\n') + '\n' };
}

async function run(services: number, servers: number): Promise<void> {
  const text = listings(services, servers);
  const ok = (stdout: string): RunResult => ({ stdout, stderr: '', exitCode: 0, timedOut: false, stdoutTruncated: false } as RunResult);
  const runner: CommandRunner = { run: async (_cmd, args) => ok(args.includes('--rate') ? text.rate : text.ln) };
  const keys: ServiceKey[] = Array.from({ length: services }, (_, i) => ({ protocol: 'tcp', address: addr(i), port: 80 }));
  const driver = new IpvsadmDriver({ runner, owned: keys, logger: silentLogger });
  const clock = new FakeClock();
  // only the fields IpvsStats reads (name, key, black-hole keys)
  const configs = keys.map((k, i) => ({
    name: `svc${i}`, protocol: 'tcp', ip: k.protocol === 'fwmark' ? '' : k.address, port: 80, blackholeAction: 'alert', blackholeWindow: 60,
  })) as unknown as ServiceConfig[];
  const stats = new IpvsStats({
    clock, log: silentLogger, reconciler: new IpvsReconciler({ ipvs: driver, clock, logger: silentLogger }), driver,
    intervalSeconds: 10, services: () => configs, hostsOf: () => null, depool: () => {}, raise: () => {},
  });
  // a full window of history first (60 s / 10 s + 1 readings), as in steady state
  for (let i = 0; i < 8; i++) { await stats.readOnce(); clock.advance(10_000); }
  const cpu: number[] = [];
  const wall: number[] = [];
  let longest = 0;
  for (let i = 0; i < READS; i++) {
    let last = performance.now();
    let on = true;
    const tick = (): void => { const now = performance.now(); longest = Math.max(longest, now - last); last = now; if (on) setImmediate(tick); };
    setImmediate(tick);
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    await stats.readOnce();
    wall.push(performance.now() - t0);
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1000);
    on = false;
    clock.advance(10_000);
  }
  const n = stats.status()?.servers.length ?? 0;
  const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);
  const med = (xs: number[]) => sorted(xs)[Math.floor(xs.length / 2)]!.toFixed(1);
  const max = (xs: number[]) => sorted(xs).at(-1)!.toFixed(1);
  console.log(`${services} x ${servers} (${n} realservers read): CPU per read median ${med(cpu)} ms, max ${max(cpu)} ms; `
    + `wall median ${med(wall)} ms; longest event-loop block ${longest.toFixed(1)} ms (${READS} reads)`);
}

await run(100, 100);
await run(1, 10_000);
