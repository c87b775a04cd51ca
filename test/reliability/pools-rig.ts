// The pool reliability cases (issue 11) share one rig: `vipd run -n` (dry-run IPVS) with TWO
// services, [web] (the one each case breaks) and [api] (which must not move), four real HTTP
// backends each on loopback, IdleConnection checks, and BIRD holding both VIPs in its RIB.
import { join } from 'node:path';
import { needTools } from '../lab/need-tools.js';
import { loopbackBlock } from '../lab/netns.js';
import { ROUTER_BINARIES, startRouter } from '../lab/router.js';
import type { Router } from '../lab/router-types.js';
import { Backend, bgpGlobal, freePort, legacyPool, tempDir, Vipd, writeFile } from '../integration/e2e-helpers.js';
import { sleep, waitFor } from '../lab/proc.js';
import type { SkippableTest } from '../support/require-tool.js';

export const WEB_VIP = '10.2.1.1';
export const API_VIP = '10.2.1.2';

export interface Rig {
  vipd: Vipd;
  router: Router;
  dir: string;
  /** The pool files (web's is used only when no `webPool` URL was given). */
  webFile: string;
  apiFile: string;
  web: string[];
  api: string[];
  /** `host:weight:pooled` of a service's realservers, from GET /pools/<name>. */
  servers(name: string): Promise<string>;
  alerts(): Promise<{ status: string; msg: string }>;
  /** Both VIPs are in BIRD's RIB now. */
  bothAnnounced(): Promise<boolean>;
}

type Tap = Parameters<typeof tempDir>[0] & SkippableTest & { passing(): boolean; testdir(): string };

function service(name: string, vip: string, port: number, pool: string): string {
  return [`[${name}]`, 'protocol = tcp', `ip = ${vip}`, `port = ${port}`, 'scheduler = wrr', `config = ${pool}`,
    'monitors = [ "IdleConnection" ]', 'idleconnection.timeout-clean-reconnect = 1', ''].join('\n');
}

/**
 * Starts the rig, or returns null when BIRD is missing (skipped locally, failed under CI).
 * `webPool(rig-so-far)` may give [web] another pool URL (http://, etcd3://) over the same hosts.
 */
export async function startRig(t: Tap, webPool?: (hosts: string[]) => Promise<string>): Promise<Rig | null> {
  if (!needTools(t, ...ROUTER_BINARIES.bird)) return null;
  const lo = loopbackBlock();
  const dir = tempDir(t);
  const router = await startRouter({ kind: 'bird', routerIp: lo.router(0), speakerIp: lo.speaker, passive: true });
  t.teardown(() => router.stop());
  const port = await freePort(lo.speaker);
  const web = [10, 11, 12, 13].map((i) => lo.router(i));
  const api = [20, 21, 22, 23].map((i) => lo.router(i));
  for (const ip of [...web, ...api]) {
    const b = new Backend(ip, [port]);
    await b.start();
    t.teardown(() => b.kill());
  }
  const webFile = join(dir, 'web.pools');
  const apiFile = join(dir, 'api.pools');
  writeFile(webFile, legacyPool(web.map((host) => ({ host }))));
  writeFile(apiFile, legacyPool(api.map((host) => ({ host }))));
  const webUrl = webPool ? await webPool(web) : `file://${webFile}`;
  const apiPort = await freePort(lo.speaker);
  const cfg = join(dir, 'vipd.conf');
  writeFile(cfg, `${bgpGlobal({ routers: [router.ip], speaker: lo.speaker, apiPort })}
${service('web', WEB_VIP, port, webUrl)}
${service('api', API_VIP, port, `file://${apiFile}`)}`);
  const vipd = new Vipd(cfg, `${lo.speaker}:${apiPort}`);
  t.teardown(() => vipd.stop());
  t.teardown(() => { if (!t.passing()) t.comment(vipd.tail(40)); });
  const servers = async (name: string): Promise<string> => {
    const r = await vipd.get(`/pools/${name}`);
    if (r.status !== 200) return `HTTP ${r.status}`;
    const body = r.body as Record<string, { pooled: boolean; weight: number }>;
    return Object.keys(body).sort().map((h) => `${h}:${body[h]!.weight}:${body[h]!.pooled ? 'pooled' : 'not'}`).join(' ');
  };
  const rig: Rig = {
    vipd, router, dir, webFile, apiFile, web, api, servers,
    alerts: async () => (await vipd.get('/alerts')).body as { status: string; msg: string },
    bothAnnounced: async () => {
      const rib = await router.rib();
      return [WEB_VIP, API_VIP].every((v) => rib.some((r) => r.prefix === `${v}/32`));
    },
  };
  await Promise.race([vipd.waitApi(15_000), vipd.exited.then((c) => { throw new Error(`vipd exited ${c}: ${vipd.tail(5)}`); })]);
  await waitFor('both pools pooled', 15_000, async () =>
    (await servers('web')) === all(web) && (await servers('api')) === all(api), 100);
  // IPVS follows the decisions within a batch spacing (ipvs-adapter.ts): "nothing moves" starts once both are in
  const added = (vip: string): number => vipd.batches(0).flatMap((b) => b.split('\n')).filter((l) => l.startsWith('-a ') && l.includes(vip)).length;
  await waitFor('both pools in IPVS', 5000, async () => added(WEB_VIP) >= web.length && added(API_VIP) >= api.length, 50);
  await router.waitRib((rib) => [WEB_VIP, API_VIP].every((v) => rib.some((r) => r.prefix === `${v}/32`)), 20_000);
  return rig;
}

/** `host:weight:pooled` for hosts all pooled at `weight`. */
export function all(hosts: string[], weight = 10): string {
  return [...hosts].sort().map((h) => `${h}:${weight}:pooled`).join(' ');
}

/**
 * Holds for `ms`: every 100 ms both services still have exactly what they had, both VIPs stay
 * announced; returns the number of checks (so a test can assert some were made).
 */
export async function nothingMoves(rig: Rig, ms: number, expect: { web: string; api: string }): Promise<number> {
  let checks = 0;
  for (const end = Date.now() + ms; Date.now() < end; checks++) {
    const [web, api] = [await rig.servers('web'), await rig.servers('api')];
    if (web !== expect.web) throw new Error(`[web] moved: ${web}, expected ${expect.web}`);
    if (api !== expect.api) throw new Error(`[api] moved: ${api}, expected ${expect.api}`);
    if (!(await rig.bothAnnounced())) throw new Error('a VIP left the router\'s RIB');
    await sleep(100);
  }
  return checks;
}

/** IPVS changes the dry-run driver logged from line `from` on, for one VIP. */
export function ipvsChanges(rig: Rig, from: number, vip: string): string[] {
  return rig.vipd.batches(from).flatMap((b) => b.split('\n')).filter((l) => l.includes(vip));
}

/** A pool line with the typo of the issue: the weight as a string. */
export function typoLine(host: string): string {
  return `{ 'host': '${host}', 'weight': '10', 'enabled': True }`;
}
