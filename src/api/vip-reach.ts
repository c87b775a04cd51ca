/**
 * How far a VIP got: which Established peers carry it (not over their bgp-max-announce cap), out
 * of how many configured, or that BGP is off. Pure; /vips, `vipd status` and /metrics read it.
 */
import type { VipDecision } from '../coordinator/vip-policy.js';
import { isEstablished } from './metrics-pybal.js';
import type { BgpStatus } from './types.js';

export interface VipReach {
  /** `disabled` when `bgp = no`: nothing is announced whatever the decision. */
  bgp: 'enabled' | 'disabled';
  /** The peers the VIP is announced to now. */
  announcedTo: string[];
  /** Configured peers. */
  peers: number;
}

export function vipReach(v: VipDecision, b: BgpStatus): VipReach {
  if (!b.enabled) return { bgp: 'disabled', announcedTo: [], peers: 0 };
  const announcedTo = v.announced
    ? b.peers.filter((p) => isEstablished(p.state) && !(p.prefixesRefused ?? []).includes(v.prefix)).map((p) => p.peer)
    : [];
  return { bgp: 'enabled', announcedTo, peers: b.peers.length };
}
