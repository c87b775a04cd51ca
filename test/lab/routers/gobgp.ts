import { existsSync, writeFileSync } from 'node:fs';
import { inNetns, readLog, sh, startDaemon, waitFor, type Daemon } from '../proc.js';
import type { ResolvedOptions, RibRoute } from '../router-types.js';
import { gobgpConfig } from './gobgp-config.js';

/** gobgpd with its gRPC API on a unix socket in the router's dir (no TCP API, no pprof). */
export async function startGobgp(o: ResolvedOptions): Promise<Daemon> {
  writeFileSync(`${o.dir}/gobgpd.toml`, gobgpConfig(o));
  await sh('gobgpd', ['-d', '-f', `${o.dir}/gobgpd.toml`]);
  const [cmd, argv] = inNetns(o.netns, 'gobgpd', ['-f', `${o.dir}/gobgpd.toml`, '-t', 'toml', '-p', '-l', 'info',
    '--pprof-disable', '--api-hosts', `unix://${o.dir}/gobgp.sock`]);
  const d = startDaemon(cmd, argv, `${o.dir}/gobgpd.log`);
  // Wait for the socket file first: a client call before it exists stalls ~1 s in gRPC's dial back-off.
  await waitFor('gobgpd API socket', 10_000, async () =>
    !d.exited() && existsSync(`${o.dir}/gobgp.sock`) && (await gobgp(o, 'global'), true), 20);
  return d;
}

export function gobgp(o: ResolvedOptions, ...args: string[]): Promise<string> {
  return sh('gobgp', ['--target', `unix://${o.dir}/gobgp.sock`, ...args]);
}

export async function gobgpEstablished(o: ResolvedOptions): Promise<boolean> {
  return /BGP state = established/i.test(await gobgp(o, 'neighbor', o.speakerIp));
}

interface GobgpPath {
  nlri?: { prefix?: string };
  best?: boolean;
  attrs?: { type: number; metric?: number; nexthop?: string; as_paths?: { asns?: number[] }[] }[];
}

export async function gobgpRib(o: ResolvedOptions): Promise<RibRoute[]> {
  const routes: RibRoute[] = [];
  for (const afi of o.v6 ? ['ipv4', 'ipv6'] : ['ipv4']) {
    const out = (await gobgp(o, 'global', 'rib', '-a', afi, '-j')).trim();
    const json = (out ? JSON.parse(out) : {}) as Record<string, GobgpPath[]>;
    for (const [prefix, paths] of Object.entries(json)) {
      for (const p of paths) {
        const attr = (t: number) => p.attrs?.find((a) => a.type === t);
        routes.push({
          prefix: p.nlri?.prefix ?? prefix,
          med: attr(4)?.metric ?? null,
          nextHop: attr(3)?.nexthop ?? attr(14)?.nexthop ?? '',
          asPath: (attr(2)?.as_paths ?? []).flatMap((s) => s.asns ?? []),
          best: p.best === true,
        });
      }
    }
  }
  return routes;
}

export const gobgpRouteRefresh = async (o: ResolvedOptions): Promise<void> => {
  await gobgp(o, 'neighbor', o.speakerIp, 'softresetin');
};
/** Admin-up again after the prefix limit, then wait until GoBGP leaves IDLE (it refuses connections until then). */
export const gobgpClear = async (o: ResolvedOptions): Promise<void> => {
  await gobgp(o, 'neighbor', o.speakerIp, 'enable');
  await waitFor('GoBGP to leave IDLE', 10_000, async () => {
    const state = (JSON.parse(await gobgp(o, 'neighbor', o.speakerIp, '-j')) as { state?: { session_state?: number } }).state;
    return (state?.session_state ?? 1) !== 1;
  }, 100);
};
export const gobgpLog = (o: ResolvedOptions): string => readLog(`${o.dir}/gobgpd.log`);
