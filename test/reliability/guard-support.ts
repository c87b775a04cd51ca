// Shared by the guard-*.test.ts reliability cases: `vipd run -n` (dry-run IPVS) with two
// services, A and B, each with real HTTP backends on this test's own loopback addresses.
import { join } from 'node:path';
import { loopbackBlock } from '../lab/netns.js';
import { waitFor } from '../lab/proc.js';
import { Backend, freePort, legacyPool, tempDir, Vipd, writeFile } from '../integration/e2e-helpers.js';

export const VIP_A = '10.2.1.1';
export const VIP_B = '10.2.1.2';

export interface TwoServices {
  vipd: Vipd;
  dir: string;
  conf: string;
  port: number;
  a: string[];
  b: string[];
  poolA: string;
  /** The config text for services A and B (after a `[global]` section). */
  services: string;
  /** Hosts of a pool and whether each is pooled, from /pools/<name>. */
  pooled(name: 'A' | 'B'): Promise<Record<string, boolean>>;
  alerts(): Promise<{ status: string; msg: string }>;
}

type T = { teardown(fn: () => unknown): void; passing(): boolean; comment(...a: unknown[]): void };

export async function twoServices(t: T, o: { nA?: number; nB?: number; aExtra?: string[]; args?: string[] } = {}): Promise<TwoServices> {
  const lo = loopbackBlock();
  const dir = tempDir(t);
  const port = await freePort(lo.speaker);
  const nA = o.nA ?? 4;
  const a = Array.from({ length: nA }, (_, i) => lo.router(i));
  const b = Array.from({ length: o.nB ?? 2 }, (_, i) => lo.router(nA + i));
  for (const ip of [...a, ...b]) {
    const be = new Backend(ip, [port]);
    await be.start();
    t.teardown(() => be.kill());
  }
  const poolA = join(dir, 'A.pools');
  writeFile(poolA, legacyPool(a.map((host) => ({ host }))));
  writeFile(join(dir, 'B.pools'), legacyPool(b.map((host) => ({ host }))));
  const apiPort = await freePort(lo.speaker);
  const svc = (name: string, vip: string, extra: string[] = []) => [
    `[${name}]`, 'protocol = tcp', `ip = ${vip}`, `port = ${port}`, 'scheduler = wrr', `config = file://${dir}/${name}.pools`,
    'monitors = [ "ProxyFetch" ]', "proxyfetch.url = [ 'http://guard.example.org/' ]", 'proxyfetch.interval = 1', 'proxyfetch.timeout = 1',
    ...extra, '',
  ].join('\n');
  const services = svc('A', VIP_A, o.aExtra) + svc('B', VIP_B);
  const conf = join(dir, 'vipd.conf');
  writeFile(conf, `${globalSection(lo.speaker, apiPort)}${services}`);
  const vipd = new Vipd(conf, `${lo.speaker}:${apiPort}`, o.args ?? ['-n']);
  t.teardown(() => vipd.stop());
  t.teardown(() => { if (!t.passing()) t.comment(vipd.tail(40)); });
  await Promise.race([vipd.waitApi(15_000), vipd.exited.then((c) => { throw new Error(`vipd exited ${c}: ${vipd.tail(5)}`); })]);
  const pooled = async (name: 'A' | 'B') => {
    const body = (await vipd.get(`/pools/${name}`)).body as Record<string, { pooled: boolean; up: boolean }>;
    return Object.fromEntries(Object.entries(body).map(([h, s]) => [h, s.pooled && s.up]));
  };
  const alerts = async () => (await vipd.get('/alerts')).body as { status: string; msg: string };
  await waitFor('A and B pooled and up', 15_000, async () => {
    const [pa, pb] = [await pooled('A'), await pooled('B')];
    return Object.values(pa).filter(Boolean).length === a.length && Object.values(pb).filter(Boolean).length === b.length;
  }, 100);
  // IPVS follows the decisions within a batch spacing (ipvs-adapter.ts): the tests' "no IPVS change
  // from here" starts once both services' servers were added.
  const added = (vip: string): number => commandsFor(vipd, vip, port, 0).filter((l) => l.startsWith('-a ')).length;
  await waitFor('A and B in IPVS', 5000, async () => added(VIP_A) >= a.length && added(VIP_B) >= b.length, 50);
  return { vipd, dir, conf, port, a, b, poolA, services, pooled, alerts };
}

export function globalSection(apiIp: string, apiPort: number, extra: string[] = []): string {
  return ['[global]', 'bgp = no', 'instrumentation = yes', `instrumentation_port = ${apiPort}`, `instrumentation_ips = [ "${apiIp}" ]`, ...extra, '', ''].join('\n');
}

/** IPVS commands (dry run) since log line `from` that touch the service at vip:port. */
export function commandsFor(vipd: Vipd, vip: string, port: number, from: number): string[] {
  const needle = `-t ${vip}:${port}`;
  return vipd.batches(from).flatMap((b) => b.split('\n')).filter((l) => l.includes(needle));
}
