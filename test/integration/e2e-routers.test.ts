import t from 'tap';
import { join } from 'node:path';
import { needTools } from '../lab/need-tools.js';
import { loopbackBlock } from '../lab/netns.js';
import { ROUTER_BINARIES, type Router } from '../lab/router.js';
import { vtysh } from '../lab/routers/frr.js';
import { birdc } from '../lab/routers/bird.js';
import { waitFor } from '../lab/proc.js';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { bgpGlobal, Backend, freePort, frrAndBird, legacyPool, tempDir, Vipd, writeFile } from './e2e-helpers.js';

const run = promisify(execFile);

// Issue 7 §5 with real parts: vipd (dry-run IPVS) with two services on one VIP and three real HTTP
// backends, BGP to FRR and BIRD from the lab harness; backends killed one by one, pool edits,
// SIGHUP reloads. (SIGTERM on the wire is in e2e-shutdown.test.ts.)

const VIP = '10.2.1.1/32';
const VIP2 = '10.2.1.2/32';

function config(o: { speaker: string; routers: string[]; apiPort: number; ports: number[]; dir: string; extra?: string }): string {
  const svc = (name: string, port: number) => `
[${name}]
protocol = tcp
ip = 10.2.1.1
port = ${port}
scheduler = wrr
config = file://${o.dir}/web.pools
depool-threshold = .5
monitors = [ "ProxyFetch" ]
proxyfetch.url = [ 'http://web.example.org/healthz' ]
proxyfetch.interval = 0.3
proxyfetch.timeout = 0.25
`;
  return `${bgpGlobal({ routers: o.routers, speaker: o.speaker, apiPort: o.apiPort, extra: ['bgp-med = 100'] })}${svc('web', o.ports[0]!)}${svc('web-alt', o.ports[1]!)}${o.extra ?? ''}`;
}

type Pool = Record<string, { pooled: boolean; up: boolean; enabled: boolean; weight: number }>;

t.test('vipd end to end with FRR and BIRD', async (t) => {
  if (!needTools(t, ...ROUTER_BINARIES.frr, ...ROUTER_BINARIES.bird)) return;
  const lo = loopbackBlock();
  const dir = tempDir(t);
  const routers = await frrAndBird(lo, (r) => t.teardown(() => r.stop()));
  const [frr, bird] = routers;
  const ports = [await freePort(lo.speaker), await freePort(lo.speaker)];
  const backends = [10, 11, 12].map((i) => new Backend(lo.router(i), ports));
  for (const b of backends) { await b.start(); t.teardown(() => b.kill()); }
  const hosts = backends.map((b) => b.ip);
  const poolFile = join(dir, 'web.pools');
  writeFile(poolFile, legacyPool(hosts.map((host) => ({ host }))));
  const apiPort = await freePort(lo.speaker);
  const cfgFile = join(dir, 'vipd.conf');
  const cfg = { speaker: lo.speaker, routers: routers.map((r) => r.ip), apiPort, ports, dir };
  writeFile(cfgFile, config(cfg));
  const vipd = new Vipd(cfgFile, `${lo.speaker}:${apiPort}`);
  t.teardown(() => vipd.stop());
  t.teardown(() => { if (t.passing()) return; t.comment(vipd.tail(60)); });

  const inRib = (r: Router, p: string) => r.waitRib((rib) => rib.some((x) => x.prefix === p), 20_000);
  const notInRib = (r: Router, p: string) => r.waitRib((rib) => !rib.some((x) => x.prefix === p), 20_000);
  const pool = async (name = 'web') => (await vipd.get(`/pools/${name}`)).body as Pool;
  const waitPool = (what: string, pred: (p: Pool) => boolean) =>
    waitFor(what, 10_000, async () => { const p = await pool(); return pred(p) ? p : undefined; }, 50);

  await t.test('VIP announced to both routers once the first health round is done', async (t) => {
    await vipd.waitApi(15_000);
    for (const r of routers) {
      const rib = await inRib(r, VIP);
      t.equal(rib.find((x) => x.prefix === VIP)?.med, 110, `${r.kind}: MED 100 + the router's 10`);
    }
    const first = await vipd.waitLog((l) => l.msg === 'first health round complete', 5_000, 'first round');
    const announced = await vipd.waitLog((l) => l.msg.startsWith('VIP announced'), 5_000, 'announce');
    t.ok(vipd.lines.indexOf(first) < vipd.lines.indexOf(announced), 'announced only after the first round');
  });

  await t.test('kill backends one by one: depool, pooled-but-down + critical, withdraw, come back', async (t) => {
    await backends[0]!.kill();
    const p1 = await waitPool('first depooled', (p) => !p[hosts[0]!]!.pooled);
    t.same([p1[hosts[0]!]!.up, p1[hosts[1]!]!.pooled, p1[hosts[2]!]!.pooled], [false, true, true], '2 of 3 still up: depooled');
    await backends[1]!.kill();
    const p2 = await waitPool('second down', (p) => !p[hosts[1]!]!.up);
    t.equal(p2[hosts[1]!]!.pooled, true, '1 up < 3 × .5: kept pooled though down');
    const alerts = (await vipd.get('/alerts')).body as { status: string; msg: string };
    t.equal(alerts.status, 'critical');
    t.match(alerts.msg, `web: Servers ${hosts[1]} are marked down but pooled`);
    for (const r of routers) t.ok((await r.rib()).some((x) => x.prefix === VIP), `${r.kind}: VIP stays while one serves`);
    await backends[2]!.kill();
    for (const r of routers) await notInRib(r, VIP);
    t.pass('last backend down: the VIP left both RIBs');
    const vips = (await vipd.get('/vips')).body as { prefix: string; announced: boolean; reason: string }[];
    t.match(vips.find((v) => v.prefix === VIP), { announced: false, reason: 'no pooled server is up in any service' });
    await backends[0]!.start();
    for (const r of routers) await inRib(r, VIP);
    const p3 = await waitPool('first repooled', (p) => p[hosts[0]!]!.pooled && p[hosts[0]!]!.up);
    t.ok(p3[hosts[0]!]!.pooled, 'the returning backend is repooled and the VIP re-announced');
    await backends[1]!.start();
    await backends[2]!.start();
    await waitPool('all up', (p) => hosts.every((h) => p[h]!.up));
    const after = await waitPool('pooled-down drained', (p) => hosts.every((h) => p[h]!.pooled));
    t.ok(hosts.every((h) => after[h]!.pooled), 'everyone back');
  });

  await t.test('pool file edits reach IPVS within 2 s', async (t) => {
    // A real backend, so the added server stays up: a failing health check would depool it
    // before the 'disable' edit and leave that edit nothing to do.
    const extraBackend = new Backend(lo.router(13), ports);
    await extraBackend.start();
    t.teardown(() => extraBackend.kill());
    const extra = extraBackend.ip;
    const edits: { what: string; entries: Parameters<typeof legacyPool>[0]; lines?: string[]; expect: string }[] = [
      { what: 'add', entries: [...hosts.map((host) => ({ host })), { host: extra }], expect: `-a -t 10.2.1.1:${ports[0]} -r ${extra}:${ports[0]} -g -w 10` },
      { what: 'disable', entries: [...hosts.map((host) => ({ host })), { host: extra, enabled: false }], expect: `-d -t 10.2.1.1:${ports[0]} -r ${extra}:${ports[0]}` },
      { what: 'weight 0 drain', entries: [{ host: hosts[0]!, weight: 0 }, { host: hosts[1]! }, { host: hosts[2]! }], expect: `-e -t 10.2.1.1:${ports[0]} -r ${hosts[0]}:${ports[0]} -g -w 0` },
      { what: 'malformed line beside a weight change', entries: [{ host: hosts[0]!, weight: 5 }, { host: hosts[1]! }, { host: hosts[2]! }], lines: ["{ 'host': 'broken' 'weight': }"], expect: `-e -t 10.2.1.1:${ports[0]} -r ${hosts[0]}:${ports[0]} -g -w 5` },
    ];
    for (const e of edits) {
      const from = vipd.lines.length;
      const started = Date.now();
      writeFile(poolFile, legacyPool(e.entries, e.lines));
      await waitFor(`${e.what} in an IPVS batch`, 5_000, async () => vipd.batches(from).some((b) => b.includes(e.expect)), 10);
      const ms = Date.now() - started;
      t.ok(ms <= 2000, `${e.what}: '${e.expect}' applied after ${ms} ms`);
    }
    const p = await pool();
    t.same(Object.keys(p).sort(), [...hosts].sort(), 'the malformed line was skipped, the rest kept');
  });

  await t.test('SIGHUP: an invalid config keeps everything running; a valid one adds a service without a session reset', async (t) => {
    const frrUp = async () => {
      const j = JSON.parse(await vtysh(frr.options, `show bgp neighbor ${lo.speaker} json`)) as
        Record<string, { bgpTimerUpMsec?: number; connectionsEstablished?: number }>;
      return { upMs: j[lo.speaker]?.bgpTimerUpMsec ?? 0, established: j[lo.speaker]?.connectionsEstablished };
    };
    const birdSince = async () => /Established/.test(await birdc(bird.options, 'show', 'protocols', 'pybal'))
      ? (await birdc(bird.options, 'show', 'protocols', 'pybal')).split('\n').find((l) => l.startsWith('pybal')) : undefined;
    const frrBefore = await frrUp();
    const birdBefore = await birdSince();
    t.ok(frrBefore.upMs > 0 && birdBefore, 'both sessions established');

    writeFile(cfgFile, config(cfg).replace('scheduler = wrr', 'scheduler = bogus'));
    let from = vipd.lines.length;
    vipd.signal('SIGHUP');
    await vipd.waitLog((l) => l.msg.startsWith('config reload rejected'), 5_000, 'reload rejected', from);
    const alerts = (await vipd.get('/alerts')).body as { status: string; msg: string };
    t.equal(alerts.status, 'critical');
    t.match(alerts.msg, /config: reload of .*vipd\.conf rejected: .*scheduler/);
    t.same(Object.keys(await pool()).length, 3, 'pools still served');
    for (const r of routers) t.ok((await r.rib()).some((x) => x.prefix === VIP), `${r.kind}: VIP still announced`);

    const web2 = `
[web2]
protocol = tcp
ip = 10.2.1.2
port = ${ports[0]}
scheduler = rr
config = file://${dir}/web.pools
monitors = [ "ProxyFetch" ]
proxyfetch.url = [ 'http://web.example.org/healthz' ]
proxyfetch.interval = 0.3
proxyfetch.timeout = 0.25
`;
    writeFile(cfgFile, config({ ...cfg, extra: web2 }));
    from = vipd.lines.length;
    vipd.signal('SIGHUP');
    await vipd.waitLog((l) => l.msg === 'config reloaded', 5_000, 'reloaded', from);
    for (const r of routers) await inRib(r, VIP2);
    t.pass('the new service\'s VIP reached both routers');
    t.notMatch(((await vipd.get('/alerts')).body as { msg: string }).msg, /config:/, 'the reload alert is cleared');
    const frrAfter = await frrUp();
    t.equal(frrAfter.established, frrBefore.established, 'FRR: no new connection was established');
    // FRR reports the uptime in whole seconds: a reset would have taken it back towards 0.
    t.ok(frrAfter.upMs >= frrBefore.upMs, `FRR: the session's uptime kept counting (${frrBefore.upMs} → ${frrAfter.upMs} ms)`);
    t.equal(await birdSince(), birdBefore, 'BIRD: the session was not reset (same since time)');
    t.notOk(vipd.lines.slice(from).some((l) => l.msg === 'service added' && l.service === 'web'), 'web untouched');
  });

  await t.test('vipd status shows pools, VIPs and both sessions', async (t) => {
    const r = await run('node', ['dist/cli/main.js', 'status', '--url', `http://${lo.speaker}:${apiPort}`], { timeout: 20_000 });
    t.match(r.stdout, /^Pools:$/m);
    t.match(r.stdout, new RegExp(`^  web +3 servers, 3 enabled, 3 up, 3 pooled$`, 'm'));
    t.match(r.stdout, /^  10\.2\.1\.1\/32: announced to 2 of 2 peers, MED 100 \(web, web-alt serving\)/m);
    for (const rt of routers) t.match(r.stdout, new RegExp(`^  ${rt.ip.replace(/\./g, '\\.')} AS64601: Established, up `, 'm'), `${rt.kind} session listed`);
  });

  await t.test('SIGHUP removing a peer closes only that session; adding it back re-establishes it', async (t) => {
    const frrEstablished = async () => {
      const j = JSON.parse(await vtysh(frr.options, `show bgp neighbor ${lo.speaker} json`)) as Record<string, { connectionsEstablished?: number }>;
      return j[lo.speaker]?.connectionsEstablished;
    };
    const before = await frrEstablished();
    writeFile(cfgFile, config({ ...cfg, routers: [frr.ip] }));
    let from = vipd.lines.length;
    vipd.signal('SIGHUP');
    await vipd.waitLog((l) => l.msg === 'config reloaded', 5_000, 'reloaded', from);
    await notInRib(bird, VIP);
    t.pass('BIRD lost the VIP with its session');
    t.ok((await frr.rib()).some((x) => x.prefix === VIP), 'FRR keeps the VIP');
    writeFile(cfgFile, config(cfg));
    from = vipd.lines.length;
    vipd.signal('SIGHUP');
    await vipd.waitLog((l) => l.msg === 'config reloaded', 5_000, 'reloaded', from);
    await inRib(bird, VIP);
    t.pass('BIRD has the VIP again');
    t.equal(await frrEstablished(), before, 'the FRR session was never reset');
  });
});
