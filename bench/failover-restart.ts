// npm run bench:failover, case (e) — issue 14 §5: planned restarts with graceful restart (RFC 4724).
// FRR, BIRD and GoBGP as helpers; vipd (`-n`, its own --state-dir) is stopped with SIGTERM and
// started again RUNS times while each router's RIB is read every 20 ms (at most 3 reads in flight:
// one FRR read costs ~125 ms of vtysh). Target: the VIP missing in 0 polls, per router.
import { join } from 'node:path';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import type { loopbackBlock } from '../test/lab/netns.js';
import type { Router } from '../test/lab/router.js';
import { Backend, bgpGlobal, freePort, legacyPool, Vipd, webService } from '../test/integration/e2e-helpers.js';
import { plannedRestarts, RibWatch, startGrRouters, waitSessionsUp } from '../test/integration/graceful-restart-helpers.js';

const PREFIX = '10.2.1.1/32';

export async function plannedRestartCase(lo: ReturnType<typeof loopbackBlock>, runs: number): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'vipd-bench-gr-'));
  const routers: Router[] = [];
  const all: Vipd[] = [];
  const backend = new Backend(lo.router(10), [await freePort(lo.speaker)]);
  try {
    await startGrRouters(lo, (r) => routers.push(r));
    await backend.start();
    writeFileSync(join(dir, 'web.pools'), legacyPool([{ host: backend.ip }]));
    const apiPort = await freePort(lo.speaker);
    const cfg = join(dir, 'vipd.conf');
    writeFileSync(cfg, `${bgpGlobal({ routers: routers.map((r) => r.ip), speaker: lo.speaker, apiPort, extra: ['bgp-graceful-restart = yes'] })}
${webService(backend.ports[0]!, `${dir}/web.pools`, ['monitors = [ "ProxyFetch" ]', "proxyfetch.url = [ 'http://web.example.org/' ]", 'proxyfetch.interval = 1', 'proxyfetch.timeout = 0.9'])}`);
    mkdirSync(join(dir, 'state'));
    const make = (): Vipd => { const v = new Vipd(cfg, `${lo.speaker}:${apiPort}`, ['-n', '--state-dir', join(dir, 'state')]); all.push(v); return v; };
    const first = make();
    await waitSessionsUp(first, routers, 30_000);
    for (const r of routers) await r.waitRib((rib) => rib.some((x) => x.prefix === PREFIX), 30_000);
    const watches = routers.map((r) => new RibWatch(r, PREFIX));
    for (const w of watches) w.start();
    const downtimes: number[] = [];
    let t0 = performance.now();
    const { codes } = await plannedRestarts(first, () => { t0 = performance.now(); return make(); }, routers, runs, async () => {
      downtimes.push(performance.now() - t0);
    });
    for (const w of watches) await w.stop();
    for (const w of watches) {
      console.log(`  (e) planned restart ×${runs}: ${w.summary()}${w.missing === 0 ? ' — target met' : ' — TARGET MISSED'}`);
    }
    const s = [...downtimes].sort((a, b) => a - b);
    console.log(`  (e) start → sessions up and End-of-RIB sent: median ${s[Math.floor(s.length / 2)]!.toFixed(0)} ms, max ${s.at(-1)!.toFixed(0)} ms; exit codes ${[...new Set(codes)].join(',')}`);
  } finally {
    for (const v of all) await v.stop();
    await backend.kill();
    for (const r of routers) await r.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
