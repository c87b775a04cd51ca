/**
 * The BGP-4 message model shared by the codec, the FSM, the speaker and `vipd decode`.
 * Values only: prefixes and addresses are strings ("10.2.1.1/32", "2001:db8::1"),
 * AS numbers are plain numbers (4-octet capable), raw bytes are Uint8Array.
 */

export type MessageType = 'OPEN' | 'UPDATE' | 'NOTIFICATION' | 'KEEPALIVE' | 'ROUTE-REFRESH';

export const MessageTypeCode = {
  OPEN: 1,
  UPDATE: 2,
  NOTIFICATION: 3,
  KEEPALIVE: 4,
  'ROUTE-REFRESH': 5,
} as const satisfies Record<MessageType, number>;

/** Address family / subsequent address family (RFC 4760). */
export interface Family { afi: number; safi: number }
export const AFI_IPV4 = 1;
export const AFI_IPV6 = 2;
export const SAFI_UNICAST = 1;

/** Capabilities (RFC 5492), one variant per known code; anything else is kept as bytes. */
export type Capability =
  | { code: 1; name: 'multiprotocol'; afi: number; safi: number }
  | { code: 2 | 128; name: 'route-refresh' }
  | { code: 5; name: 'extended-next-hop'; entries: { afi: number; safi: number; nextHopAfi: number }[] }
  | { code: 6; name: 'extended-message' }
  | { code: 9; name: 'bgp-role'; role: number }
  | {
      code: 64; name: 'graceful-restart';
      restartFlags: number; // high 4 bits: R (0x8), N (0x4)
      restartTime: number; // seconds, 12 bits
      families: { afi: number; safi: number; flags: number }[];
    }
  | { code: 65; name: 'four-octet-as'; asn: number }
  | { code: 69; name: 'add-path'; families: { afi: number; safi: number; sendReceive: number }[] }
  | { code: 70; name: 'enhanced-route-refresh' }
  | { code: 71; name: 'long-lived-graceful-restart'; families: { afi: number; safi: number; flags: number; staleTime: number }[] }
  | { code: 73; name: 'fqdn'; hostname: string; domain: string }
  | { code: number; name: 'unknown'; value: Uint8Array };

/** One optional parameter of OPEN: type 2 carries capabilities, others are kept raw. */
export type OptionalParameter =
  | { type: 2; capabilities: Capability[] }
  | { type: number; value: Uint8Array };

export interface OpenMessage {
  type: 'OPEN';
  version: number;
  /** The 2-octet "My Autonomous System" field as sent (AS_TRANS 23456 when the real AS is 4-octet). */
  myAs: number;
  holdTime: number; // seconds
  bgpId: string; // dotted quad
  params: OptionalParameter[];
  /** RFC 9072 extended optional parameters length was used. */
  extendedParams?: boolean;
}

export type AsPathSegmentType = 'AS_SET' | 'AS_SEQUENCE' | 'AS_CONFED_SEQUENCE' | 'AS_CONFED_SET';
export interface AsPathSegment { type: AsPathSegmentType; asns: number[] }

/** Path attributes by name; `unknown` keeps the ones we do not interpret, with their flags. */
export interface PathAttributes {
  origin?: 'IGP' | 'EGP' | 'INCOMPLETE';
  asPath?: AsPathSegment[];
  /** Only as decoded from the wire (RFC 6793); merged into asPath on decode when 2-octet. */
  as4Path?: AsPathSegment[];
  nextHop?: string;
  med?: number;
  localPref?: number;
  atomicAggregate?: boolean;
  aggregator?: { asn: number; address: string };
  as4Aggregator?: { asn: number; address: string };
  communities?: number[]; // each 32 bits: (asn << 16) | value
  originatorId?: string;
  clusterList?: string[];
  mpReach?: MpReach;
  mpUnreach?: MpUnreach;
  extendedCommunities?: Uint8Array[]; // 8 bytes each
  largeCommunities?: [number, number, number][];
  unknown?: { flags: number; typeCode: number; value: Uint8Array }[];
}

export interface MpReach {
  afi: number;
  safi: number;
  /** ADD-PATH (RFC 7911) path identifiers, one per NLRI, when negotiated for this family. */
  pathIds?: number[];
  /** Global, then link-local for IPv6 when present. Raw hex for families we do not interpret. */
  nextHops: string[];
  nlri: string[];
  /** For families other than IPv4/IPv6 unicast: the undecoded next hop and NLRI bytes. */
  raw?: { nextHop: Uint8Array; nlri: Uint8Array };
}

export interface MpUnreach {
  afi: number;
  safi: number;
  /** ADD-PATH (RFC 7911) path identifiers, one per withdrawn prefix, when negotiated. */
  pathIds?: number[];
  withdrawn: string[];
  raw?: Uint8Array;
}

export interface UpdateMessage {
  type: 'UPDATE';
  withdrawn: string[];
  attributes: PathAttributes;
  nlri: string[];
  /** ADD-PATH (RFC 7911) path identifiers for `withdrawn` / `nlri`, when negotiated for IPv4 unicast. */
  withdrawnPathIds?: number[];
  nlriPathIds?: number[];
  /** Attribute errors found while decoding (RFC 7606): the message is still delivered. */
  errors?: DecodeError[];
  /** RFC 7606 §2: an attribute error requires every NLRI of this UPDATE to be treated as withdrawn. */
  treatAsWithdraw?: boolean;
  /** How the attributes were laid out on the wire, so a decoded UPDATE re-encodes to identical bytes. */
  wire?: AttributeLayout;
}

/** Wire details kept by the decoder: attribute order and flags, and the raw 2-octet AS_PATH before AS4 merging. */
export interface AttributeLayout {
  order: { typeCode: number; flags: number }[];
  asPath?: AsPathSegment[];
}

export interface NotificationMessage {
  type: 'NOTIFICATION';
  code: number;
  subcode: number;
  data: Uint8Array;
}

export interface KeepaliveMessage { type: 'KEEPALIVE' }

export interface RouteRefreshMessage {
  type: 'ROUTE-REFRESH';
  afi: number;
  /** RFC 7313: 0 normal, 1 BoRR, 2 EoRR. */
  subtype: number;
  safi: number;
}

export type BgpMessage =
  | OpenMessage
  | UpdateMessage
  | NotificationMessage
  | KeepaliveMessage
  | RouteRefreshMessage;

/** What was negotiated on a session and changes how messages are read and written. */
export interface CodecContext {
  /** Both sides sent capability 65: AS numbers in AS_PATH/AGGREGATOR are 4 octets. */
  fourOctetAs: boolean;
  /** Both sides sent capability 6: messages up to 65535 bytes (RFC 8654). */
  extendedMessage: boolean;
  /** Families for which ADD-PATH receive was negotiated (path identifiers precede each NLRI we decode). */
  addPathReceive?: Family[];
  /** Families for which ADD-PATH send was negotiated (path identifiers precede each NLRI we encode). */
  addPathSend?: Family[];
}

export const DEFAULT_CONTEXT: CodecContext = { fourOctetAs: false, extendedMessage: false };

/** What to do about a decode failure (RFC 7606 §2). */
export type ErrorAction = 'session-reset' | 'treat-as-withdraw' | 'attribute-discard';

/** A decode failure: the NOTIFICATION to send (when the action is a reset) and the action. */
export interface DecodeError {
  code: number;
  subcode: number;
  data: Uint8Array;
  action: ErrorAction;
  message: string;
}

export type Result<T, E> = { ok: true; value: T } | { ok: false; error: E };
