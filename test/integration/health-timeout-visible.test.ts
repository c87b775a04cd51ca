// `timeout = auto` made visible (issue 16 §5): `vipd run` in-process (dry-run IPVS) with ProxyFetch
// against a real HTTP server in its own process. Once the check has learned, each server's current
// deadline and its window's p99 are in /pools/<pool> JSON and the status page's pool table, and the
// spread of the service's deadlines is on /metrics; a monitor with a fixed timeout shows none.
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import t from 'tap';
import { route } from '../../src/api/handler.js';
import { metricsText } from '../../src/api/metrics.js';
import { renderPage } from '../../src/api/page/render.js';
import { takeSnapshot } from '../../src/api/snapshot.js';
import { Daemon } from '../../src/cli/run/daemon.js';
import { silentLogger } from '../../src/log/logger.js';
import { createPoolSource } from '../../src/pools/index.js';
import { systemClock } from '../../src/time/clock.js';
import { waitFor } from '../lab/proc.js';

const IP = `127.46.${process.pid % 250}.7`;
const BACKEND = `require('node:http').createServer((q, s) => { s.writeHead(200); s.end('ok'); })
  .listen(0, process.argv[1], function () { process.stdout.write(this.address().port + '\\n'); });`;

t.test('the learned deadline and p99 per server in /pools JSON, on the page and on /metrics', async (t) => {
  const child = spawn(process.execPath, ['-e', BACKEND, IP], { stdio: ['ignore', 'pipe', 'inherit'] });
  t.teardown(() => { child.kill('SIGKILL'); });
  const port = Number(await new Promise<string>((ok, fail) => {
    const timer = setTimeout(() => fail(new Error('backend did not start in 10 s')), 10_000);
    createInterface({ input: child.stdout! }).once('line', (l) => { clearTimeout(timer); ok(l); });
  }));
  const dir = await mkdtemp(join(tmpdir(), 'vipd-learned-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const pool = join(dir, 'pool');
  await writeFile(pool, `{ 'host': '${IP}', 'weight': 10, 'enabled': True }\n`);
  const service = (name: string, timeout: string) => `[${name}]\nprotocol = tcp\nip = 10.255.7.1\nport = ${port}\nscheduler = wrr\n`
    + `config = file://${pool}\nmonitors = [ "ProxyFetch" ]\nproxyfetch.url = [ 'http://web.example.test/' ]\n`
    + `proxyfetch.interval = 0.05\nproxyfetch.timeout = ${timeout}\n\n`;
  const conf = join(dir, 'vipd.conf');
  // web learns (ceiling 2 s); fixed has the PyBal-style fixed timeout
  await writeFile(conf, `[global]\n\n${service('web', 'auto\nproxyfetch.timeout-max = 2')}${service('fixed', '2').replace('10.255.7.1', '10.255.7.2')}`);
  const d = await Daemon.start({
    configPath: conf, dryRun: true, clock: systemClock, log: silentLogger,
    poolSource: (svc, log) => createPoolSource(svc.pool, { clock: systemClock, logger: log, intervalMs: 100, timeoutMs: 1000 }),
    resolveIntervalMs: 60_000,
  });
  t.teardown(() => d.stop());
  const snap = () => takeSnapshot(d.statusSource(), null);
  type Learned = { deadlineMs: number; p99Ms: number; samples: number };
  const pools = (name: string) => route(`/pools/${name}`, snap())!.json as Record<string, { up: boolean; timeout?: Record<string, Learned> }>;
  // WARMUP (20) answers at 50 ms intervals, with room for a busy machine
  await waitFor('the deadline learned', 30_000, async () => (pools('web')[IP]?.timeout?.ProxyFetch?.deadlineMs ?? 2000) < 2000, 50);
  const l = pools('web')[IP]!.timeout!.ProxyFetch!;
  t.ok(l.samples >= 20, `learned from ${l.samples} answers`);
  t.ok(l.deadlineMs >= 25 && l.deadlineMs < 2000, `deadline ${l.deadlineMs} ms: at least the floor, below the 2 s ceiling`);
  t.ok(l.p99Ms > 0 && l.deadlineMs >= 12 * l.p99Ms - 1e-9, `p99 ${l.p99Ms} ms; the deadline is at least 12 × p99`);
  t.equal(pools('fixed')[IP]?.timeout, undefined, 'a fixed timeout: no learned deadline');
  t.equal(pools('fixed')[IP]?.up, true);

  const m = metricsText(snap());
  t.match(m, '# TYPE vipd_check_learned_timeout_servers gauge');
  t.match(m, 'vipd_check_learned_timeout_servers{le="+Inf",monitor="ProxyFetch",service="web"} 1.0');
  t.match(m, 'vipd_check_learned_timeout_servers{le="30.0",monitor="ProxyFetch",service="web"} 1.0');
  t.notMatch(m, /vipd_check_learned_timeout_servers\{[^}]*service="fixed"/, 'none for the fixed timeout');

  const page = renderPage(snap());
  t.match(page, /timeout \d+ ms \(p99 [\d.]+ ms\)/, 'the pool table shows the learned timeout under the sparkline');
});
