/** Human names for codes: NOTIFICATION codes/subcodes, capabilities, families, communities, attributes. */

const ERROR_NAMES: Record<number, [string, Record<number, string>]> = {
  1: ['Message Header Error', { 1: 'Connection Not Synchronized', 2: 'Bad Message Length', 3: 'Bad Message Type' }],
  2: ['OPEN Message Error', {
    1: 'Unsupported Version Number', 2: 'Bad Peer AS', 3: 'Bad BGP Identifier',
    4: 'Unsupported Optional Parameter', 5: 'Authentication Failure (deprecated)', 6: 'Unacceptable Hold Time',
    7: 'Unsupported Capability', 11: 'Role Mismatch',
  }],
  3: ['UPDATE Message Error', {
    1: 'Malformed Attribute List', 2: 'Unrecognized Well-known Attribute', 3: 'Missing Well-known Attribute',
    4: 'Attribute Flags Error', 5: 'Attribute Length Error', 6: 'Invalid ORIGIN Attribute',
    7: 'AS Routing Loop (deprecated)', 8: 'Invalid NEXT_HOP Attribute', 9: 'Optional Attribute Error',
    10: 'Invalid Network Field', 11: 'Malformed AS_PATH',
  }],
  4: ['Hold Timer Expired', {}],
  // RFC 6608
  5: ['Finite State Machine Error', {
    1: 'Receive Unexpected Message in OpenSent State', 2: 'Receive Unexpected Message in OpenConfirm State',
    3: 'Receive Unexpected Message in Established State',
  }],
  // RFC 4486, 8538, 9384
  6: ['Cease', {
    1: 'Maximum Number of Prefixes Reached', 2: 'Administrative Shutdown', 3: 'Peer De-configured',
    4: 'Administrative Reset', 5: 'Connection Rejected', 6: 'Other Configuration Change',
    7: 'Connection Collision Resolution', 8: 'Out of Resources', 9: 'Hard Reset', 10: 'BFD Down',
  }],
  // RFC 7313
  7: ['ROUTE-REFRESH Message Error', { 1: 'Invalid Message Length' }],
  // RFC 9687
  8: ['Send Hold Timer Expired', {}],
};

/** E.g. `Cease / Administrative Shutdown`; unknown codes are named by number. */
export function notificationName(code: number, subcode: number): string {
  const entry = ERROR_NAMES[code];
  if (!entry) return `Unknown error code ${code} / subcode ${subcode}`;
  const sub = subcode === 0 ? 'Unspecific' : entry[1][subcode] ?? `Unknown subcode ${subcode}`;
  if ((code === 4 || code === 8) && subcode === 0) return entry[0];
  return `${entry[0]} / ${sub}`;
}

const CAPABILITY_NAMES: Record<number, string> = {
  1: 'Multiprotocol Extensions', 2: 'Route Refresh', 3: 'Outbound Route Filtering', 4: 'Multiple Routes (deprecated)',
  5: 'Extended Next Hop Encoding', 6: 'Extended Message', 7: 'BGPsec', 8: 'Multiple Labels', 9: 'BGP Role',
  64: 'Graceful Restart', 65: '4-octet AS Number', 67: 'Dynamic Capability', 68: 'Multisession',
  69: 'ADD-PATH', 70: 'Enhanced Route Refresh', 71: 'Long-Lived Graceful Restart', 72: 'Routing Policy Distribution',
  73: 'FQDN', 74: 'BFD', 75: 'Software Version',
  128: 'Route Refresh (Cisco, pre-standard)', 130: 'Outbound Route Filtering (Cisco, pre-standard)',
  131: 'Multisession (Cisco)',
};

export function capabilityName(code: number): string {
  return CAPABILITY_NAMES[code] ?? `Unknown capability ${code}`;
}

const AFI_NAMES: Record<number, string> = { 1: 'IPv4', 2: 'IPv6', 25: 'L2VPN', 16388: 'BGP-LS' };
const SAFI_NAMES: Record<number, string> = {
  1: 'unicast', 2: 'multicast', 4: 'labeled-unicast', 5: 'mcast-vpn', 65: 'vpls', 70: 'evpn', 71: 'bgp-ls',
  72: 'bgp-ls-vpn', 73: 'sr-te-policy', 128: 'mpls-vpn', 129: 'mpls-vpn-multicast', 132: 'route-target-constraint',
  133: 'flowspec', 134: 'flowspec-vpn',
};

export function afiName(afi: number): string {
  return AFI_NAMES[afi] ?? `AFI ${afi}`;
}

export function safiName(safi: number): string {
  return SAFI_NAMES[safi] ?? `SAFI ${safi}`;
}

/** E.g. `IPv6 unicast`. */
export function familyName(afi: number, safi: number): string {
  return `${afiName(afi)} ${safiName(safi)}`;
}

/** Well-known communities (RFC 1997, 3765, 7611, 7999, 8326, 9494). */
export const WELL_KNOWN_COMMUNITIES: Readonly<Record<number, string>> = {
  0xffff0000: 'GRACEFUL_SHUTDOWN',
  0xffff0001: 'ACCEPT_OWN',
  0xffff0002: 'ROUTE_FILTER_TRANSLATED_v4',
  0xffff0003: 'ROUTE_FILTER_v4',
  0xffff0004: 'ROUTE_FILTER_TRANSLATED_v6',
  0xffff0005: 'ROUTE_FILTER_v6',
  0xffff0006: 'LLGR_STALE',
  0xffff0007: 'NO_LLGR',
  0xffff0008: 'accept-own-nexthop',
  0xffff029a: 'BLACKHOLE',
  0xffffff01: 'NO_EXPORT',
  0xffffff02: 'NO_ADVERTISE',
  0xffffff03: 'NO_EXPORT_SUBCONFED',
  0xffffff04: 'NOPEER',
};

/** The well-known name of a community, else `asn:value`. */
export function communityName(value: number): string {
  const v = value >>> 0;
  return WELL_KNOWN_COMMUNITIES[v] ?? `${v >>> 16}:${v & 0xffff}`;
}

/** Parses `asn:value` or a well-known name into the 32-bit community; null when it is neither. */
export function parseCommunity(text: string): number | null {
  for (const [v, name] of Object.entries(WELL_KNOWN_COMMUNITIES)) if (name === text) return Number(v);
  const m = /^(\d{1,5}):(\d{1,5})$/.exec(text);
  if (!m) return null;
  const hi = Number(m[1]);
  const lo = Number(m[2]);
  if (hi > 0xffff || lo > 0xffff) return null;
  return ((hi << 16) | lo) >>> 0;
}

const ATTRIBUTE_NAMES: Record<number, string> = {
  1: 'ORIGIN', 2: 'AS_PATH', 3: 'NEXT_HOP', 4: 'MULTI_EXIT_DISC', 5: 'LOCAL_PREF', 6: 'ATOMIC_AGGREGATE',
  7: 'AGGREGATOR', 8: 'COMMUNITIES', 9: 'ORIGINATOR_ID', 10: 'CLUSTER_LIST', 14: 'MP_REACH_NLRI',
  15: 'MP_UNREACH_NLRI', 16: 'EXTENDED_COMMUNITIES', 17: 'AS4_PATH', 18: 'AS4_AGGREGATOR', 26: 'AIGP',
  32: 'LARGE_COMMUNITY', 35: 'OTC',
};

export function attributeName(typeCode: number): string {
  return ATTRIBUTE_NAMES[typeCode] ?? `attribute ${typeCode}`;
}
