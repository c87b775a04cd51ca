/**
 * Would this host drop a VIP's traffic? Pure: from the host's local addresses and the IPVS table
 * last read, the reason to withhold each VIP from BGP (none when it may be announced).
 */
import ipaddr from 'ipaddr.js';
import { hostPort, serviceId, type IpvsTable, type ServiceKey } from './model.js';

/** One VIP and the IPVS services configured on it. */
export interface VipServices {
  ip: string;
  services: readonly ServiceKey[];
}

/** The canonical text of an address (`::1`, zone id dropped), or null when it is none. */
export function canonicalIp(text: string): string | null {
  const bare = text.split('%')[0]!;
  return ipaddr.isValid(bare) ? ipaddr.process(bare).toString() : null;
}

const describe = (k: ServiceKey): string => (k.protocol === 'fwmark' ? `fwmark ${k.mark}` : `${hostPort(k.address, k.port)}/${k.protocol}`);

/**
 * Canonical VIP address → why it must not be announced. A VIP is announced only while it is a
 * local address of this host (else the kernel would not accept its packets for IPVS) and IPVS
 * holds every one of its services (else the packets are dropped or answered by the host itself).
 */
export function withheldVips(vips: readonly VipServices[], local: ReadonlySet<string>, table: IpvsTable | null): Map<string, string> {
  const have = new Set((table ?? []).map((s) => serviceId(s.key)));
  const out = new Map<string, string>();
  for (const v of vips) {
    const ip = canonicalIp(v.ip) ?? v.ip;
    const missing: string[] = [];
    if (!local.has(ip)) missing.push(`${ip} is not configured on this host`);
    if (!table) missing.push('the IPVS table has not been read yet');
    else {
      const absent = v.services.filter((k) => !have.has(serviceId(k))).map(describe);
      if (absent.length) missing.push(`IPVS has no service ${absent.join(', ')}`);
    }
    if (missing.length) out.set(ip, missing.join('; '));
  }
  return out;
}
