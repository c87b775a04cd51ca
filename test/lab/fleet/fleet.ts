// The multi-balancer lab (issue 17 §1): N balancer namespaces and two site routers (FRR, BIRD) on
// one LAN, the routers peering each other over iBGP, one real etcd for the pools in the root
// namespace. vipd instances run in the balancer namespaces (`ip netns exec`, dist/cli/main.js).
// Everything started here is stopped by pid and every namespace deleted by `stop()`.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEtcd, type TestEtcd } from '../../integration/pools-etcd-server.js';
import type { BfdOptions } from '../router-types.js';
import { birdBalancerProtocol, fleetBirdConfig } from './fleet-bird-config.js';
import { fleetFrrConfig } from './fleet-frr-config.js';
import type { FleetConfigBuilder, FleetRouterSpec } from './fleet-router-spec.js';
import { startFleetBird, startFleetFrr, type FleetRouter } from './fleet-routers.js';
import { createLan, type Lan, type LanMember } from './lan.js';

export const ROUTER_AS = 64601;
export const BALANCER_AS = 64600;

export interface FleetOptions {
  balancers: number;
  etcdBin: string;
  /** BFD on every router–balancer session; default none. */
  bfd?: BfdOptions | null;
  holdTime?: number;
  /** Swap in another router configuration (e.g. `vipd router-config` output); defaults: the lab's own. */
  frrConfig?: FleetConfigBuilder;
  birdConfig?: FleetConfigBuilder;
}

export interface Fleet {
  lan: Lan;
  frr: FleetRouter;
  bird: FleetRouter;
  routers: FleetRouter[];
  /** The balancers' namespaces (10.255.A.11, .12, ...). */
  balancers: LanMember[];
  /** etcd on the LAN address of the root namespace. */
  etcd: TestEtcd;
  /** Every session of balancer i with both routers is Established (as the routers see it). */
  sessionsUp(i: number): Promise<boolean>;
  stop(): Promise<void>;
}

const FRR_HOST = 1;
const BIRD_HOST = 2;
const FIRST_BALANCER = 11;

/** Builds the lab; on failure halfway stops whatever it started before rethrowing. */
export async function startFleet(o: FleetOptions): Promise<Fleet> {
  const stops: (() => Promise<void>)[] = [];
  const stopAll = async (): Promise<void> => {
    for (const s of stops.splice(0).reverse()) await s().catch(() => undefined);
  };
  try {
    const lan = await createLan();
    stops.push(() => lan.destroy());
    const frrNs = await lan.addMember('frr', FRR_HOST);
    const birdNs = await lan.addMember('bird', BIRD_HOST);
    const balancers: LanMember[] = [];
    for (let i = 0; i < o.balancers; i++) balancers.push(await lan.addMember(`bal${i + 1}`, FIRST_BALANCER + i));
    const etcdDir = mkdtempSync(join(tmpdir(), 'vipd-fleet-etcd-'));
    stops.push(async () => rmSync(etcdDir, { recursive: true, force: true }));
    const etcd = await startEtcd(o.etcdBin, etcdDir, undefined, lan.hostIp);
    stops.push(() => etcd.stop());
    const spec = (ip: string, peer: string): Omit<FleetRouterSpec, 'dir'> => ({
      ip, as: ROUTER_AS, balancers: balancers.map((b) => b.ip), balancerAs: BALANCER_AS, ibgpPeer: peer,
      holdTime: o.holdTime ?? 30, maxPaths: 8, maxPrefixes: 10, bfd: o.bfd ?? null,
    });
    const frr = await startFleetFrr(frrNs.netns, spec(frrNs.ip, birdNs.ip), o.frrConfig ?? fleetFrrConfig);
    stops.push(() => frr.stop());
    const protocolOf = (n: string): string => birdBalancerProtocol(balancers.findIndex((b) => b.ip === n));
    const bird = await startFleetBird(birdNs.netns, spec(birdNs.ip, frrNs.ip), o.birdConfig ?? fleetBirdConfig, protocolOf);
    stops.push(() => bird.stop());
    const routers = [frr, bird];
    return {
      lan, frr, bird, routers, balancers, etcd,
      async sessionsUp(i) {
        const ip = balancers[i]!.ip;
        for (const r of routers) if (!(await r.established(ip).catch(() => false))) return false;
        return true;
      },
      stop: stopAll,
    };
  } catch (err) {
    await stopAll();
    throw err;
  }
}
