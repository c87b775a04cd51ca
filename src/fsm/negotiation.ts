import type { Capability, Family, NotificationMessage, OpenMessage } from '../bgp/types.js';
import { AFI_IPV4, SAFI_UNICAST } from '../bgp/types.js';
import type { Negotiated, Session } from './types.js';
import { AS_TRANS, ErrorCode, GracefulRestart, OpenSubcode } from '../bgp/constants.js';
import { notification } from './notifications.js';

export { AS_TRANS };
const IPV4_UNICAST: Family = { afi: AFI_IPV4, safi: SAFI_UNICAST };

/** The capabilities this session offers, before any the peer refused are removed. */
export function offeredCapabilities(session: Session): Capability[] {
  const c = session.config;
  const families = c.families.length ? c.families : [IPV4_UNICAST];
  const caps: Capability[] = families.map((f) => ({ code: 1, name: 'multiprotocol', afi: f.afi, safi: f.safi }));
  caps.push({ code: 2, name: 'route-refresh' });
  caps.push({ code: 70, name: 'enhanced-route-refresh' });
  caps.push({ code: 65, name: 'four-octet-as', asn: c.localAs });
  if (c.gracefulRestartTime !== undefined) {
    // RFC 4724 §3: R after a restart; RFC 8538 §2: N always; F per family: the IPVS table outlives vipd
    const flags = (session.restarting ? GracefulRestart.RESTART_STATE : 0) | GracefulRestart.NOTIFICATION;
    caps.push({
      code: GracefulRestart.CODE, name: 'graceful-restart', restartFlags: flags,
      restartTime: Math.min(c.gracefulRestartTime, GracefulRestart.MAX_TIME),
      families: families.map((f) => ({ afi: f.afi, safi: f.safi, flags: GracefulRestart.FORWARDING })),
    });
  }
  return caps.filter((cap) => !session.suppressedCapabilities.includes(cap.code));
}

export function buildOpen(session: Session): OpenMessage {
  const c = session.config;
  const caps = session.bareOpen ? [] : offeredCapabilities(session);
  return {
    type: 'OPEN',
    version: 4,
    // RFC 6793 §4.1: AS_TRANS in My AS when ours needs four octets
    myAs: c.localAs > 0xffff ? AS_TRANS : c.localAs,
    holdTime: c.holdTime,
    bgpId: c.bgpId,
    params: caps.length ? [{ type: 2, capabilities: caps }] : [],
  };
}

export function capabilitiesOf(open: OpenMessage): Capability[] {
  const out: Capability[] = [];
  for (const p of open.params) if (p.type === 2 && 'capabilities' in p) out.push(...p.capabilities);
  return out;
}

function familiesOf(caps: Capability[]): Family[] {
  const fs: Family[] = [];
  for (const c of caps) if (c.name === 'multiprotocol') fs.push({ afi: c.afi, safi: c.safi });
  // RFC 4760 §8: without multiprotocol capabilities, IPv4 unicast is implied
  return fs.length ? fs : [IPV4_UNICAST];
}

const has = (caps: Capability[], name: Capability['name']): boolean => caps.some((c) => c.name === name);

/** RFC 8538 §2: the N bit of a Graceful Restart capability. */
const notificationBit = (caps: Capability[]): boolean =>
  caps.some((c) => c.name === 'graceful-restart' && (c.restartFlags & GracefulRestart.NOTIFICATION) !== 0);

function asBytes(asn: number): Uint8Array {
  const b = new Uint8Array(asn > 0xffff ? 4 : 2);
  const v = new DataView(b.buffer);
  if (asn > 0xffff) v.setUint32(0, asn); else v.setUint16(0, asn);
  return b;
}

/** The peer's real AS: capability 65 when sent (RFC 6793 §4.1), else the My AS field. */
export function peerAsOf(open: OpenMessage): number {
  const four = capabilitiesOf(open).find((c) => c.name === 'four-octet-as');
  return four && four.name === 'four-octet-as' ? four.asn : open.myAs;
}

/** Why an AS cannot be a peer's when any AS is accepted, or null when it can. */
export function unusablePeerAs(asn: number): string | null {
  // RFC 7607 §2: AS 0 in OPEN is a Bad Peer AS
  if (asn === 0) return 'is reserved (RFC 7607)';
  // RFC 7300 §3: the last 2-octet and 4-octet ASNs are reserved (PyBal refused 65535 too)
  if (asn === 0xffff || asn === 0xffffffff) return 'is reserved (RFC 7300)';
  return null;
}

export type NegotiationResult = { ok: true; value: Negotiated } | { ok: false; error: NotificationMessage; reason: string };

/** Checks the peer's OPEN against our session (RFC 4271 §6.2) and works out what both sides agreed. */
export function negotiate(session: Session, open: OpenMessage): NegotiationResult {
  const c = session.config;
  const fail = (subcode: number, reason: string, data?: Uint8Array): NegotiationResult =>
    ({ ok: false, error: notification(ErrorCode.OPEN, subcode, data), reason });
  // RFC 4271 §6.2: the data is the largest version we support
  if (open.version !== 4) return fail(OpenSubcode.UNSUPPORTED_VERSION, `peer speaks BGP version ${open.version}`, new Uint8Array([0, 4]));
  // RFC 4271 §6.2 / RFC 5492: only the capabilities parameter is known
  const badParam = open.params.find((p) => p.type !== 2);
  if (badParam) return fail(OpenSubcode.UNSUPPORTED_OPTIONAL_PARAMETER, `unsupported optional parameter type ${badParam.type}`);
  const peerAs = peerAsOf(open);
  // RFC 4271 §6.2: Bad Peer AS when it is not the configured one
  if (c.peerAs !== undefined && peerAs !== c.peerAs) return fail(OpenSubcode.BAD_PEER_AS, `peer AS ${peerAs}, expected ${c.peerAs}`, asBytes(peerAs));
  const unusable = c.peerAs === undefined ? unusablePeerAs(peerAs) : null;
  if (unusable) return fail(OpenSubcode.BAD_PEER_AS, `peer AS ${peerAs} ${unusable}`, asBytes(peerAs));
  // RFC 4271 §6.2: hold time 1 or 2 seconds must be rejected
  if (open.holdTime === 1 || open.holdTime === 2) return fail(OpenSubcode.UNACCEPTABLE_HOLD_TIME, `unacceptable hold time ${open.holdTime}`);
  // RFC 6286 §2.2: non-zero; unique within the AS
  if (open.bgpId === '0.0.0.0' || (peerAs === c.localAs && open.bgpId === c.bgpId))
    return fail(OpenSubcode.BAD_BGP_IDENTIFIER, `bad BGP identifier ${open.bgpId}`, ipv4Bytes(open.bgpId));
  const peerCaps = capabilitiesOf(open);
  const ourCaps = session.bareOpen ? [] : offeredCapabilities(session);
  const theirs = familiesOf(peerCaps);
  const families = familiesOf(ourCaps).filter((f) => theirs.some((t) => t.afi === f.afi && t.safi === f.safi));
  const holdTime = Math.min(c.holdTime, open.holdTime);
  const keepalive = holdTime === 0 ? 0 : Math.max(1, Math.min(c.keepalive ?? Math.floor(holdTime / 3), Math.floor(holdTime / 3)));
  const both = (name: Capability['name']): boolean => has(ourCaps, name) && has(peerCaps, name);
  return {
    ok: true,
    value: {
      holdTime, keepalive, families,
      fourOctetAs: both('four-octet-as'),
      routeRefresh: both('route-refresh'),
      enhancedRouteRefresh: both('enhanced-route-refresh'),
      extendedMessage: both('extended-message'),
      gracefulRestart: both('graceful-restart'),
      gracefulNotification: notificationBit(ourCaps) && notificationBit(peerCaps),
      peerBgpId: open.bgpId,
      peerAs,
      peerCapabilities: peerCaps,
    },
  };
}

function ipv4Bytes(addr: string): Uint8Array {
  const parts = addr.split('.').map((x) => Number(x) & 0xff);
  return new Uint8Array(parts.length === 4 ? parts : [0, 0, 0, 0]);
}

/** RFC 4271 §6.8 with RFC 6286 §2.3: true when the connection we initiated is the one to keep. */
export function keepLocallyInitiated(localId: string, remoteId: string, localAs: number, remoteAs: number): boolean {
  const l = ipv4ToNumber(localId);
  const r = ipv4ToNumber(remoteId);
  if (l !== r) return l > r;
  return localAs > remoteAs;
}

function ipv4ToNumber(addr: string): number {
  return ipv4Bytes(addr).reduce((acc, b) => acc * 256 + b, 0);
}
