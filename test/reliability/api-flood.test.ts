import t from 'tap';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { loopbackBlock } from '../lab/netns.js';
import { Backend, freePort, legacyPool, tempDir, Vipd, writeFile } from '../integration/e2e-helpers.js';

// Issue 11, "10,000 concurrent requests to the instrumentation API starve the event loop:
// healthy servers fail 1 s checks and are depooled". The real daemon (dry-run IPVS) checks 20
// real HTTP backends every second with a 1 s timeout while a separate process floods its API with
// rounds of 10,000 concurrent requests. The API runs in a worker thread and is rate-bounded, so
// no check may fail, nothing may be depooled, and /metrics must answer afterwards with the main
// thread's loop lag.

const BACKENDS = 20;
const FLOOD = 10_000;
const ROUNDS = 3;

function flood(host: string, port: number, from: string): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [join('test', 'reliability', 'api-flood-client.mjs'), host, String(port), from, String(FLOOD), String(ROUNDS)],
      { stdio: ['ignore', 'pipe', 'pipe'] });
    const out: string[] = [];
    let err = '';
    p.stdout.on('data', (d: Buffer) => out.push(d.toString()));
    p.stderr.on('data', (d: Buffer) => { err += d.toString(); });
    const timer = setTimeout(() => p.kill('SIGKILL'), 50_000);
    p.on('exit', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve(out.join('').trim().split('\n')); else reject(new Error(`flood client exited ${code}: ${err}`));
    });
  });
}

t.test('an API flood does not starve 1 s health checks', { timeout: 120_000 }, async (t) => {
  const lo = loopbackBlock();
  const dir = tempDir(t);
  const port = await freePort(lo.router(0));
  const backends = Array.from({ length: BACKENDS }, (_, i) => new Backend(lo.router(10 + i), [port]));
  for (const b of backends) { await b.start(); t.teardown(() => b.kill()); }
  writeFile(join(dir, 'web-pool'), legacyPool(backends.map((b) => ({ host: b.ip }))));
  const apiPort = await freePort(lo.speaker);
  const cfg = join(dir, 'pybal.conf');
  writeFile(cfg, `[global]
bgp = no
instrumentation = yes
instrumentation_port = ${apiPort}
instrumentation_ips = [ "${lo.speaker}" ]

[web]
protocol = tcp
ip = 10.2.1.1
port = ${port}
scheduler = wrr
config = file://${dir}/web-pool
depool-threshold = .5
monitors = [ "ProxyFetch" ]
proxyfetch.url = [ 'http://www.example.org/healthz' ]
proxyfetch.interval = 1
proxyfetch.timeout = 1
`);
  const vipd = new Vipd(cfg, `${lo.speaker}:${apiPort}`);
  t.teardown(() => vipd.stop());
  t.teardown(() => { if (!t.passing()) t.comment(vipd.tail(40)); });
  await Promise.race([vipd.waitApi(20_000), vipd.exited.then((c) => { throw new Error(`vipd exited ${c}: ${vipd.tail(5)}`); })]);
  const upCount = async (): Promise<number> => {
    const m = String((await vipd.get('/metrics', false)).body);
    return Number(/^pybal_service_servers_up\{service="web"\} (\d+)\.0$/m.exec(m)?.[1] ?? -1);
  };
  const deadline = Date.now() + 20_000;
  while (await upCount() !== BACKENDS && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
  t.equal(await upCount(), BACKENDS, 'every backend up before the flood');
  const before = vipd.lines.length;

  const rounds = (await flood(lo.speaker, apiPort, lo.router(200))).map((l) => JSON.parse(l) as { answered: Record<string, number>; ms: number });
  t.equal(rounds.length, ROUNDS);
  for (const r of rounds) {
    t.comment(`flood round: ${JSON.stringify(r)}`);
    t.ok((r.answered['200'] ?? 0) > 0, 'some flood requests were served');
    t.ok((r.answered['429'] ?? 0) > 0, 'beyond the per-client rate: 429');
    t.equal(Object.values(r.answered).reduce((a, b) => a + b, 0), FLOOD, 'every request accounted for (answered, or its connection closed by the limit)');
  }
  // One more check interval after the last round: a starved check would time out now.
  await new Promise((r) => setTimeout(r, 2500));

  const downs = vipd.lines.slice(before).filter((l) => /server down/.test(l.msg));
  t.same(downs.map((l) => `${String(l.server ?? '')} ${l.msg}`), [], 'no server marked down during or after the flood');
  t.equal(vipd.batches(before).length, 0, 'no IPVS change');
  const metrics = await vipd.get('/metrics', false);
  t.equal(metrics.status, 200, '/metrics answers after the flood');
  const m = String(metrics.body);
  t.match(m, /^pybal_service_servers_pooled\{service="web"\} 20\.0$/m);
  t.match(m, /^pybal_monitor_down_transitions_total\{host="[^"]+",monitor="ProxyFetch",service="web"\} 0\.0$/m);
  t.notMatch(m, /^pybal_monitor_down_transitions_total\{[^}]*\} [1-9]/m, 'no down transition on any server');
  const p99 = /^vipd_event_loop_lag_seconds\{quantile="0\.99"\} ([0-9.e-]+)$/m.exec(m);
  t.ok(p99, 'vipd_event_loop_lag_seconds is exported');
  t.comment(`main loop lag p99 ${p99?.[1]} s, max ${/^vipd_event_loop_lag_seconds\{quantile="1"\} (\S+)$/m.exec(m)?.[1]} s`);
  const limitLines = vipd.lines.slice(before).filter((l) => /limit hit by/.test(l.msg));
  t.ok(limitLines.length >= 1 && limitLines.length <= 2 * ROUNDS * 3 + 3, `limit hits logged, rate-limited (${limitLines.length} lines)`);
  t.ok(limitLines.every((l) => l.msg.includes(lo.router(200))), 'each names the flooding client');
  const alerts = await vipd.get('/alerts');
  t.match(JSON.stringify(alerts.body), new RegExp(`api: instrumentation: [a-z ]+ limit hit by ${lo.router(200).replace(/\./g, '\\.')}`), '/alerts names the limit and the client');
});
