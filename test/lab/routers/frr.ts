import { chmodSync, writeFileSync } from 'node:fs';
import { inNetns, readLog, sh, startDaemon, waitFor, type Daemon } from '../proc.js';
import type { ResolvedOptions, RibRoute } from '../router-types.js';
import { frrBfddConfig, frrConfig } from './frr-config.js';

/**
 * FRR bgpd in the foreground without zebra or FIB (-Z -n), its vty socket in the router's dir. With
 * BFD, zebra and bfdd too (bgpd reaches bfdd only through zebra), still without FIB (-n): netns only.
 * `custom` (the multi-balancer lab): another bgpd.conf, and `fib` = zebra installs the routes in the netns.
 */
export async function startFrr(o: ResolvedOptions, custom?: { config: string; fib: boolean }): Promise<Daemon> {
  writeFileSync(`${o.dir}/bgpd.conf`, custom?.config ?? (o.config ? o.config(o.dir) : frrConfig(o)));
  const zebra = o.bfd !== null || custom?.fib === true;
  if (zebra && !o.netns) throw new Error('FRR with BFD or a FIB runs zebra: give it a netns');
  const helpers = zebra ? await startBfdHelpers(o) : [];
  const args = ['-S', ...(zebra ? [] : ['-Z']), ...(custom?.fib ? [] : ['-n']), '-P', '0', '-p', String(o.port), '-l', o.routerIp,
    '-f', `${o.dir}/bgpd.conf`, '-i', `${o.dir}/bgpd.pid`, '--vty_socket', o.dir, '-z', `${o.dir}/zserv.api`];
  const [cmd, argv] = inNetns(o.netns, '/usr/lib/frr/bgpd', args);
  const d = startDaemon(cmd, argv, `${o.dir}/bgpd.stdout`);
  try {
    await waitFor('FRR bgpd vty', 10_000, async () => !d.exited() && (await vtysh(o, 'show bgp summary'), true));
  } catch (e) {
    for (const h of [d, ...helpers]) await h.stop();
    throw e;
  }
  if (!helpers.length) return d;
  return { ...d, stop: async () => { for (const h of [d, ...helpers]) await h.stop(); }, exited: () => d.exited() || helpers.some((h) => h.exited()) };
}

/** zebra (for the zserv socket bgpd and bfdd share) and bfdd, in the router's netns and dir. */
async function startBfdHelpers(o: ResolvedOptions): Promise<Daemon[]> {
  // zebra and bfdd have no -S: they run as FRR's user (in the frrvty group), so the dir is opened up
  chmodSync(o.dir, 0o777);
  const common = ['-P', '0', '--vty_socket', o.dir, '-z', `${o.dir}/zserv.api`];
  writeFileSync(`${o.dir}/zebra.conf`, `hostname lab-frr-zebra\nlog file ${o.dir}/zebra.log informational\n`);
  writeFileSync(`${o.dir}/bfdd.conf`, frrBfddConfig(o));
  const [zc, za] = inNetns(o.netns, '/usr/lib/frr/zebra', [...common, '-f', `${o.dir}/zebra.conf`, '-i', `${o.dir}/zebra.pid`]);
  const zebra = startDaemon(zc, za, `${o.dir}/zebra.stdout`);
  const started = [zebra];
  try {
    await waitFor('FRR zebra vty', 10_000, async () => !zebra.exited() && (await frrVtysh(o, 'zebra', 'show version'), true));
    const [bc, ba] = inNetns(o.netns, '/usr/lib/frr/bfdd',
      [...common, '-f', `${o.dir}/bfdd.conf`, '-i', `${o.dir}/bfdd.pid`, '--bfdctl', `${o.dir}/bfdd.sock`]);
    const bfdd = startDaemon(bc, ba, `${o.dir}/bfdd.stdout`);
    started.unshift(bfdd);
    await waitFor('FRR bfdd vty', 10_000, async () => !bfdd.exited() && (await frrVtysh(o, 'bfdd', 'show bfd peers'), true));
  } catch (e) {
    for (const h of started) await h.stop();
    throw e;
  }
  return started;
}

export function frrVtysh(o: ResolvedOptions, daemon: 'zebra' | 'bfdd' | 'bgpd', command: string): Promise<string> {
  return sh('vtysh', ['--vty_socket', o.dir, '-d', daemon, '-c', command]);
}

export function vtysh(o: ResolvedOptions, command: string): Promise<string> {
  return sh('vtysh', ['--vty_socket', o.dir, '-d', 'bgpd', '-c', command]);
}

export async function frrEstablished(o: ResolvedOptions): Promise<boolean> {
  const out = await vtysh(o, `show bgp neighbor ${o.speakerIp} json`);
  return out.includes('"bgpState":"Established"');
}

interface FrrPath {
  bestpath?: boolean; metric?: number; med?: number; path?: string; aspath?: { string?: string };
  nexthops?: { ip?: string; scope?: string }[];
}

export async function frrRib(o: ResolvedOptions): Promise<RibRoute[]> {
  const afis = o.v6 ? ['ipv4', 'ipv6'] : ['ipv4'];
  const routes: RibRoute[] = [];
  for (const afi of afis) {
    const json = JSON.parse(await vtysh(o, `show bgp ${afi} unicast json`)) as { routes?: Record<string, FrrPath[]> };
    for (const [prefix, paths] of Object.entries(json.routes ?? {})) {
      for (const p of paths) {
        const path = p.path ?? p.aspath?.string ?? '';
        routes.push({
          prefix,
          med: p.metric ?? p.med ?? null,
          nextHop: p.nexthops?.find((h) => h.scope !== 'link-local')?.ip ?? p.nexthops?.[0]?.ip ?? '',
          asPath: path.split(/\s+/).filter((s) => /^\d+$/.test(s)).map(Number),
          best: p.bestpath === true,
        });
      }
    }
  }
  return routes;
}

export const frrRouteRefresh = async (o: ResolvedOptions): Promise<void> => {
  await vtysh(o, `clear bgp ipv4 unicast ${o.speakerIp} soft in`);
};
export const frrClear = async (o: ResolvedOptions): Promise<void> => {
  await vtysh(o, `clear bgp ${o.speakerIp}`);
};
export const frrLog = (o: ResolvedOptions): string => readLog(`${o.dir}/bgpd.log`) + readLog(`${o.dir}/bgpd.stdout`)
  + (o.bfd ? readLog(`${o.dir}/bfdd.log`) + readLog(`${o.dir}/bfdd.stdout`) + readLog(`${o.dir}/zebra.stdout`) : '');
