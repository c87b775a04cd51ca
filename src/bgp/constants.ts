/** Wire constants of BGP-4 (RFC 4271) and its extensions. */

export const HEADER_LENGTH = 19;
export const MAX_MESSAGE_LENGTH = 4096;
/** RFC 8654 §4: once extended message is negotiated. */
export const MAX_EXTENDED_MESSAGE_LENGTH = 65535;
export const BGP_VERSION = 4;
/** RFC 6793 §9: the 2-octet AS standing in for a 4-octet one. */
export const AS_TRANS = 23456;

export const AttrFlag = {
  OPTIONAL: 0x80,
  TRANSITIVE: 0x40,
  PARTIAL: 0x20,
  EXTENDED_LENGTH: 0x10,
} as const;

export const AttrType = {
  ORIGIN: 1,
  AS_PATH: 2,
  NEXT_HOP: 3,
  MED: 4,
  LOCAL_PREF: 5,
  ATOMIC_AGGREGATE: 6,
  AGGREGATOR: 7,
  COMMUNITIES: 8,
  ORIGINATOR_ID: 9,
  CLUSTER_LIST: 10,
  MP_REACH_NLRI: 14,
  MP_UNREACH_NLRI: 15,
  EXTENDED_COMMUNITIES: 16,
  AS4_PATH: 17,
  AS4_AGGREGATOR: 18,
  LARGE_COMMUNITIES: 32,
} as const;

/** The Optional and Transitive bits each known attribute must carry (RFC 4271 §5, 4456, 4760, 6793, 8092). */
export const EXPECTED_FLAGS: Readonly<Record<number, number>> = {
  1: AttrFlag.TRANSITIVE,
  2: AttrFlag.TRANSITIVE,
  3: AttrFlag.TRANSITIVE,
  4: AttrFlag.OPTIONAL,
  5: AttrFlag.TRANSITIVE,
  6: AttrFlag.TRANSITIVE,
  7: AttrFlag.OPTIONAL | AttrFlag.TRANSITIVE,
  8: AttrFlag.OPTIONAL | AttrFlag.TRANSITIVE,
  9: AttrFlag.OPTIONAL,
  10: AttrFlag.OPTIONAL,
  14: AttrFlag.OPTIONAL,
  15: AttrFlag.OPTIONAL,
  16: AttrFlag.OPTIONAL | AttrFlag.TRANSITIVE,
  17: AttrFlag.OPTIONAL | AttrFlag.TRANSITIVE,
  18: AttrFlag.OPTIONAL | AttrFlag.TRANSITIVE,
  32: AttrFlag.OPTIONAL | AttrFlag.TRANSITIVE,
};

export const AsPathSegmentCode = {
  AS_SET: 1,
  AS_SEQUENCE: 2,
  AS_CONFED_SEQUENCE: 3,
  AS_CONFED_SET: 4,
} as const;

export const ErrorCode = {
  MESSAGE_HEADER: 1,
  OPEN: 2,
  UPDATE: 3,
  HOLD_TIMER_EXPIRED: 4,
  FSM: 5,
  CEASE: 6,
  ROUTE_REFRESH: 7,
  /** RFC 9687 §3. */
  SEND_HOLD_TIMER_EXPIRED: 8,
} as const;

/** RFC 6608 §3: the state that did not expect the message. */
export const FsmSubcode = { UNSPECIFIED: 0, OPEN_SENT: 1, OPEN_CONFIRM: 2, ESTABLISHED: 3 } as const;

export const HeaderSubcode = { CONNECTION_NOT_SYNCHRONIZED: 1, BAD_MESSAGE_LENGTH: 2, BAD_MESSAGE_TYPE: 3 } as const;

export const OpenSubcode = {
  UNSPECIFIC: 0,
  UNSUPPORTED_VERSION: 1,
  BAD_PEER_AS: 2,
  BAD_BGP_IDENTIFIER: 3,
  UNSUPPORTED_OPTIONAL_PARAMETER: 4,
  UNACCEPTABLE_HOLD_TIME: 6,
  UNSUPPORTED_CAPABILITY: 7,
  ROLE_MISMATCH: 11,
} as const;

export const UpdateSubcode = {
  MALFORMED_ATTRIBUTE_LIST: 1,
  UNRECOGNIZED_WELL_KNOWN: 2,
  MISSING_WELL_KNOWN: 3,
  ATTRIBUTE_FLAGS: 4,
  ATTRIBUTE_LENGTH: 5,
  INVALID_ORIGIN: 6,
  INVALID_NEXT_HOP: 8,
  OPTIONAL_ATTRIBUTE: 9,
  INVALID_NETWORK_FIELD: 10,
  MALFORMED_AS_PATH: 11,
} as const;

export const CeaseSubcode = {
  MAX_PREFIXES: 1,
  ADMINISTRATIVE_SHUTDOWN: 2,
  PEER_DECONFIGURED: 3,
  ADMINISTRATIVE_RESET: 4,
  CONNECTION_REJECTED: 5,
  OTHER_CONFIGURATION_CHANGE: 6,
  CONNECTION_COLLISION: 7,
  OUT_OF_RESOURCES: 8,
  HARD_RESET: 9,
  BFD_DOWN: 10,
} as const;

export const RouteRefreshSubtype = { NORMAL: 0, BORR: 1, EORR: 2 } as const;

/** RFC 7313 §5. */
export const RouteRefreshErrorSubcode = { INVALID_MESSAGE_LENGTH: 1 } as const;

/** Message type names by type code (RFC 4271 §4.1, RFC 2918 §3). */
export const MessageTypeCodeOf: readonly string[] = ['UNKNOWN', 'OPEN', 'UPDATE', 'NOTIFICATION', 'KEEPALIVE', 'ROUTE-REFRESH'];

/** RFC 4724 §3 Graceful Restart capability (code 64): the 4-bit Restart Flags and the per-family flags. */
export const GracefulRestart = {
  CODE: 64,
  /** Restart State: the sender has restarted (RFC 4724 §3). */
  RESTART_STATE: 0x8,
  /** Graceful Notification: the sender supports RFC 8538 (§2). */
  NOTIFICATION: 0x4,
  /** Forwarding State: the sender kept its forwarding state for the family (RFC 4724 §3). */
  FORWARDING: 0x80,
  /** The Restart Time field is 12 bits (RFC 4724 §3). */
  MAX_TIME: 4095,
} as const;
