// The two site routers of the multi-balancer lab (FRR with zebra, BIRD with a kernel protocol),
// each in its own namespace on the LAN, installing what they pick into that namespace's FIB.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sh, type Daemon } from '../proc.js';
import { resolveOptions } from '../router-types.js';
import { birdc, birdLog, startBird } from '../routers/bird.js';
import { frrLog, startFrr, vtysh } from '../routers/frr.js';
import type { FleetConfigBuilder, FleetRouterSpec } from './fleet-router-spec.js';

/** One BGP path to a prefix as the router holds it. */
export interface FleetPath {
  nextHop: string;
  /** MED after the router's import policy (+10). */
  med: number | null;
  /** The router's best path. */
  best: boolean;
  /** Learned from the other router (iBGP), not from a balancer. */
  ibgp: boolean;
}

export interface FleetRouter {
  kind: 'frr' | 'bird';
  ip: string;
  netns: string;
  dir: string;
  /** Paths to `prefix` in the BGP RIB (BIRD: its table, one route per neighbor). */
  paths(prefix: string): Promise<FleetPath[]>;
  /** The next hops the namespace's kernel FIB has for `prefix` (ECMP: several), sorted. */
  fib(prefix: string): Promise<string[]>;
  /** The BGP session with `neighbor` is Established. */
  established(neighbor: string): Promise<boolean>;
  log(): string;
  stop(): Promise<void>;
}

/** The FIB of a namespace, from `ip -j route show exact PREFIX` (one route, one or several next hops). */
export async function fibNextHops(netns: string, prefix: string): Promise<string[]> {
  const routes = JSON.parse(await sh('ip', ['-n', netns, '-j', 'route', 'show', 'exact', prefix]) || '[]') as
    { gateway?: string; nexthops?: { gateway?: string }[] }[];
  return routes.flatMap((r) => r.nexthops?.map((h) => h.gateway ?? '') ?? [r.gateway ?? '']).filter(Boolean).sort();
}

interface FrrJsonPath {
  bestpath?: { overall?: boolean } | boolean;
  metric?: number; med?: number;
  nexthops?: { ip?: string }[];
  peer?: { type?: string };
}

export function parseFrrPaths(json: string): FleetPath[] {
  const r = JSON.parse(json) as { paths?: FrrJsonPath[] };
  return (r.paths ?? []).map((p) => ({
    nextHop: p.nexthops?.[0]?.ip ?? '',
    med: p.metric ?? p.med ?? null,
    best: typeof p.bestpath === 'boolean' ? p.bestpath : p.bestpath?.overall === true,
    ibgp: p.peer?.type === 'internal',
  }));
}

/** `birdc show route for PREFIX all`: a route line `[proto time] * (pref)`, then tab-indented attributes. */
export function parseBirdPaths(text: string, ibgpProtocol: string): FleetPath[] {
  const paths: FleetPath[] = [];
  let cur: FleetPath | null = null;
  for (const line of text.split('\n')) {
    const head = /^\S*\s+\w+\s+\[(\w+)\s[^\]]*\]\s*(\*)?/.exec(line);
    if (head && !line.startsWith('\t')) {
      cur = { nextHop: '', med: null, best: head[2] === '*', ibgp: head[1] === ibgpProtocol };
      paths.push(cur);
      continue;
    }
    const attr = cur && /^\s+BGP\.(\w+):\s*(.*)$/.exec(line);
    if (!cur || !attr) continue;
    if (attr[1] === 'med') cur.med = Number(attr[2]);
    else if (attr[1] === 'next_hop') cur.nextHop = attr[2]!.trim().split(/\s+/)[0] ?? '';
  }
  return paths;
}

function tempDir(kind: string): string {
  return mkdtempSync(join(tmpdir(), `vipd-fleet-${kind}-`));
}

function finish(d: Daemon, dir: string): () => Promise<void> {
  let stopped = false;
  return async () => {
    if (stopped) return;
    stopped = true;
    await d.stop();
    if (!process.env.VIPD_LAB_KEEP) rmSync(dir, { recursive: true, force: true });
  };
}

/** FRR (zebra, bfdd, bgpd without -Z/-n) in `netns`; `build` gives bgpd.conf from the spec. */
export async function startFleetFrr(netns: string, spec: Omit<FleetRouterSpec, 'dir'>, build: FleetConfigBuilder): Promise<FleetRouter> {
  const dir = tempDir('frr');
  const s = { ...spec, dir };
  const o = resolveOptions({ kind: 'frr', routerIp: s.ip, speakerIp: s.balancers[0] ?? s.ip, netns, routerAs: s.as, passive: true, bfd: s.bfd }, dir);
  let d: Daemon;
  try {
    d = await startFrr(o, { config: build(s), fib: true });
  } catch (err) {
    const log = frrLog(o);
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`FRR did not start: ${err instanceof Error ? err.message : String(err)}\n${log.slice(-2000)}`);
  }
  return {
    kind: 'frr', ip: s.ip, netns, dir,
    paths: async (prefix) => parseFrrPaths(await vtysh(o, `show bgp ipv4 unicast ${prefix} json`)),
    fib: (prefix) => fibNextHops(netns, prefix),
    established: async (n) => (await vtysh(o, `show bgp neighbor ${n} json`)).includes('"bgpState":"Established"'),
    log: () => frrLog(o),
    stop: finish(d, dir),
  };
}

/** BIRD in `netns` with `build`'s bird.conf; its kernel protocol writes the namespace's FIB. */
export async function startFleetBird(netns: string, spec: Omit<FleetRouterSpec, 'dir'>, build: FleetConfigBuilder, protocolOf: (neighbor: string) => string): Promise<FleetRouter> {
  const dir = tempDir('bird');
  const s = { ...spec, dir };
  const o = resolveOptions({ kind: 'bird', routerIp: s.ip, speakerIp: s.balancers[0] ?? s.ip, netns, routerAs: s.as, passive: true, bfd: s.bfd }, dir);
  let d: Daemon;
  try {
    d = await startBird(o, build(s));
  } catch (err) {
    const log = birdLog(o);
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`BIRD did not start: ${err instanceof Error ? err.message : String(err)}\n${log.slice(-2000)}`);
  }
  return {
    kind: 'bird', ip: s.ip, netns, dir,
    paths: async (prefix) => parseBirdPaths(await birdc(o, 'show', 'route', 'for', prefix, 'all'), 'site_router'),
    fib: (prefix) => fibNextHops(netns, prefix),
    established: async (n) => /\bEstablished\b/.test(await birdc(o, 'show', 'protocols', protocolOf(n))),
    log: () => birdLog(o),
    stop: finish(d, dir),
  };
}
