// Every fuzz target, by name. Adding one: write bench/fuzz/targets/<name>.ts exporting a
// FuzzTarget, then add it to the list below (one line).
import type { FuzzTarget } from './target.js';
import { bgp } from './targets/bgp.js';
import { config } from './targets/config.js';
import { etcd } from './targets/etcd.js';
import { etcd2 } from './targets/etcd2.js';
import { httpPoolBody, poolFile } from './targets/pools.js';
import { dnsAnswer, dnsHeader } from './targets/dns.js';

export const TARGETS: readonly FuzzTarget[] = [
  bgp,
  config,
  poolFile,
  httpPoolBody,
  etcd,
  etcd2,
  dnsHeader,
  dnsAnswer,
];

export function targetNamed(name: string): FuzzTarget | undefined {
  return TARGETS.find((t) => t.name === name);
}
