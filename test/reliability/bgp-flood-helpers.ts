// Shared by the BGP flood reliability tests and bench/flood.bench.ts: BIRD exporting a leaked table
// at `vipd run` (dry-run IPVS), which announces VIPs of services with one real HTTP backend each.
import { join } from 'node:path';
import { loopbackBlock } from '../lab/netns.js';
import { startRouter, type Router } from '../lab/router.js';
import { waitFor } from '../lab/proc.js';
import { Backend, bgpGlobal, freePort, legacyPool, Vipd, writeFile } from '../integration/e2e-helpers.js';
import type { BgpPeerStatus } from '../../src/api/types.js';

export interface FloodLab { lo: ReturnType<typeof loopbackBlock>; bird: Router; vipd: Vipd; vips: string[] }

/** `[vipN]` services on 10.2.1.N, one backend, ProxyFetch every 0.3 s. */
export function services(n: number, port: number, pool: string): string {
  return Array.from({ length: n }, (_, i) => `
[vip${i + 1}]
protocol = tcp
ip = 10.2.1.${i + 1}
port = ${port}
scheduler = wrr
config = file://${pool}
monitors = [ "ProxyFetch" ]
proxyfetch.url = [ 'http://web.example.org/healthz' ]
proxyfetch.interval = 0.3
proxyfetch.timeout = 0.25
`).join('');
}

/**
 * BIRD on lo.router(0) exporting `flood` /24s, a backend on lo.router(10), vipd with `vips` services and
 * `extra` [global] lines; `beforeVipd` runs just before vipd starts. `cleanup` receives each stop function as soon as the part runs.
 */
export async function floodLab(o: { dir: string; flood: number; vips: number; extra?: string[]; beforeVipd?: (speaker: string) => Promise<void> }, cleanup: (fn: () => Promise<unknown> | void) => void): Promise<FloodLab> {
  const lo = loopbackBlock();
  const bird = await startRouter({ kind: 'bird', routerIp: lo.router(0), speakerIp: lo.speaker, passive: true, exportPrefixes: o.flood });
  cleanup(() => bird.stop());
  const port = await freePort(lo.speaker);
  const backend = new Backend(lo.router(10), [port]);
  await backend.start();
  cleanup(() => backend.kill());
  const pool = join(o.dir, 'web.pools');
  writeFile(pool, legacyPool([{ host: backend.ip }]));
  const apiPort = await freePort(lo.speaker);
  const cfg = join(o.dir, 'vipd.conf');
  writeFile(cfg, bgpGlobal({ routers: [bird.ip], speaker: lo.speaker, apiPort, extra: o.extra ?? [] }) + services(o.vips, port, pool));
  await o.beforeVipd?.(lo.speaker);
  const vipd = new Vipd(cfg, `${lo.speaker}:${apiPort}`);
  cleanup(() => vipd.stop());
  await vipd.waitApi(30_000);
  return { lo, bird, vipd, vips: Array.from({ length: o.vips }, (_, i) => `10.2.1.${i + 1}/32`) };
}

export async function peerOf(vipd: Vipd): Promise<BgpPeerStatus> {
  const b = (await vipd.get('/bgp')).body as { peers: BgpPeerStatus[] };
  return b.peers[0]!;
}

/** Waits until vipd has counted at least `n` received prefixes from its peer. */
export function waitReceived(vipd: Vipd, n: number, timeoutMs: number): Promise<BgpPeerStatus> {
  return waitFor(`vipd to count ${n} received prefixes`, timeoutMs, async () => {
    const p = await peerOf(vipd);
    return p.prefixesReceived >= n ? p : undefined;
  }, 200);
}
