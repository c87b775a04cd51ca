import { writeFileSync } from 'node:fs';
import { inNetns, readLog, sh, startDaemon, waitFor, type Daemon } from '../proc.js';
import type { ResolvedOptions, RibRoute } from '../router-types.js';
import { frrConfig } from './frr-config.js';

/** FRR bgpd in the foreground without zebra or FIB (-Z -n), its vty socket in the router's dir. */
export async function startFrr(o: ResolvedOptions): Promise<Daemon> {
  writeFileSync(`${o.dir}/bgpd.conf`, frrConfig(o));
  const args = ['-S', '-Z', '-n', '-P', '0', '-p', String(o.port), '-l', o.routerIp,
    '-f', `${o.dir}/bgpd.conf`, '-i', `${o.dir}/bgpd.pid`, '--vty_socket', o.dir, '-z', `${o.dir}/zserv.api`];
  const [cmd, argv] = inNetns(o.netns, '/usr/lib/frr/bgpd', args);
  const d = startDaemon(cmd, argv, `${o.dir}/bgpd.stdout`);
  await waitFor('FRR bgpd vty', 10_000, async () => !d.exited() && (await vtysh(o, 'show bgp summary'), true));
  return d;
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
export const frrLog = (o: ResolvedOptions): string => readLog(`${o.dir}/bgpd.log`) + readLog(`${o.dir}/bgpd.stdout`);
