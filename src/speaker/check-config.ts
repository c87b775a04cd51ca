import ipaddr from 'ipaddr.js';
import type { PeerConfig } from './types.js';

const isInt = (n: unknown, lo: number, hi: number): boolean => typeof n === 'number' && Number.isInteger(n) && n >= lo && n <= hi;

/** Problems with one peer's settings, each prefixed with `where`. */
export function checkPeer(p: PeerConfig, where: string): string[] {
  const e: string[] = [];
  const bad = (msg: string): void => { e.push(`${where}: ${msg}`); };
  if (!ipaddr.isValid(p.address)) bad(`address '${p.address}' is not an IP address`);
  if (p.peerAs !== undefined && !isInt(p.peerAs, 1, 0xffffffff)) bad(`peer AS must be 1..4294967295, got ${p.peerAs}`);
  if (p.localAddress !== undefined && !ipaddr.isValid(p.localAddress)) bad(`local address '${p.localAddress}' is not an IP address`);
  if (p.port !== undefined && !isInt(p.port, p.mode === 'passive' ? 0 : 1, 65535)) bad(`port must be 1..65535 (0 = ephemeral, passive only), got ${p.port}`);
  // RFC 4271 §4.2: zero or at least three seconds
  if (p.holdTime !== undefined && !(p.holdTime === 0 || isInt(p.holdTime, 3, 65535))) bad(`hold time must be 0 or 3..65535 seconds, got ${p.holdTime}`);
  if (p.keepalive !== undefined && !isInt(p.keepalive, 1, 21845)) bad(`keepalive must be 1..21845 seconds, got ${p.keepalive}`);
  if (p.mode !== undefined && !['active', 'passive', 'both'].includes(p.mode)) bad(`mode must be active, passive or both, got '${p.mode}'`);
  if ((p.mode === 'passive' || p.mode === 'both') && !p.localAddress) bad(`mode ${p.mode} needs a local address to listen on`);
  for (const [fam, nh] of Object.entries(p.nextHop ?? {})) {
    if (nh === undefined) continue;
    if (!ipaddr.isValid(nh)) bad(`next hop '${nh}' is not an IP address`);
    else if (ipaddr.parse(nh).kind() !== (fam === 'ipv6' ? 'ipv6' : 'ipv4')) bad(`next hop ${nh} is not ${fam}`);
  }
  if (p.maxPrefixes !== undefined && !isInt(p.maxPrefixes, 0, 0xffffffff)) bad(`max prefixes must be a non-negative integer, got ${p.maxPrefixes}`);
  if (p.communities?.some((c) => !isInt(c, 0, 0xffffffff))) bad('a community is not a 32-bit value');
  if (p.inboundLimit !== undefined && !isInt(p.inboundLimit, 1, 0xffffffff)) bad(`inbound limit must be a positive integer, got ${p.inboundLimit}`);
  if (p.inboundLimitAction !== undefined && !['discard', 'teardown'].includes(p.inboundLimitAction)) bad(`inbound limit action must be discard or teardown, got '${p.inboundLimitAction}'`);
  for (const f of p.families ?? []) if (f !== 'ipv4' && f !== 'ipv6') bad(`family must be ipv4 or ipv6, got '${f}'`);
  if (p.gracefulRestartTime !== undefined && !isInt(p.gracefulRestartTime, 0, 4095)) bad(`graceful restart time must be 0..4095 seconds, got ${p.gracefulRestartTime}`);
  return e;
}
