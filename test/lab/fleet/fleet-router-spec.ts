// What a lab router of the multi-balancer lab is told: the input of its config builder. The builders
// are plain functions returning the config text, so `vipd router-config` output can replace them.
import type { BfdOptions } from '../router-types.js';

export interface FleetRouterSpec {
  /** The router's address on the LAN; also its router id. */
  ip: string;
  as: number;
  /** The balancers (eBGP neighbors, all in balancerAs). */
  balancers: string[];
  balancerAs: number;
  /** The site's other router: iBGP neighbor exchanging the LVS routes (ROUTERS.md). */
  ibgpPeer: string | null;
  holdTime: number;
  /** ECMP: paths installed per prefix (FRR `maximum-paths`; BIRD merges all equal ones). */
  maxPaths: number;
  /** Prefix limit per balancer, with teardown. */
  maxPrefixes: number;
  bfd: BfdOptions | null;
  /** The router's own temp dir (logs, sockets). */
  dir: string;
}

export type FleetConfigBuilder = (spec: FleetRouterSpec) => string;
