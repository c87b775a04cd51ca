import type { Capability, Family } from '../bgp/types.js';
import type { FamilyName } from './routes.js';

/** "ipv4-unicast", "ipv6-unicast", or "afi/safi" for others. */
export function familyNames(fs: readonly Family[]): string[] {
  return fs.map((f) => {
    const afi = f.afi === 1 ? 'ipv4' : f.afi === 2 ? 'ipv6' : `afi${f.afi}`;
    return f.safi === 1 ? `${afi}-unicast` : `${afi}/safi${f.safi}`;
  });
}

/** The unicast families we can announce in. */
export function toFamilyNames(fs: readonly Family[]): FamilyName[] {
  const out: FamilyName[] = [];
  for (const f of fs) {
    if (f.safi !== 1) continue;
    if (f.afi === 1) out.push('ipv4');
    if (f.afi === 2) out.push('ipv6');
  }
  return out;
}

/** Short, stable names for logs and `vipd speak` output, e.g. "multiprotocol:ipv6-unicast", "four-octet-as:64601". */
export function capabilityNames(caps: readonly Capability[]): string[] {
  return caps.map((c) => {
    switch (c.name) {
      case 'multiprotocol': return `multiprotocol:${familyNames([{ afi: c.afi, safi: c.safi }])[0]}`;
      case 'four-octet-as': return `four-octet-as:${c.asn}`;
      case 'graceful-restart': return `graceful-restart:${c.restartTime}`;
      case 'unknown': return `capability-${c.code}`;
      default: return c.name;
    }
  });
}
