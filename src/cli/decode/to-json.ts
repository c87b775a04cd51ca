import {
  decodeShutdownCommunication, effectiveAs, hex, isEndOfRib, notificationName, openCapabilities, communityName,
  type Capability, type UpdateMessage, type BgpMessage, type DecodeError,
} from '../../bgp/index.js';
import { formatEndpoint } from '../../pcap/index.js';
import type { DecodedRecord } from './decode-capture.js';

const TYPE_NAMES: Record<number, string> = { 1: 'OPEN', 2: 'UPDATE', 3: 'NOTIFICATION', 4: 'KEEPALIVE', 5: 'ROUTE-REFRESH' };

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

/** The `vipd decode --json` object of one message: exactly the fields of issue 2 §5. */
export function recordToJson(rec: DecodedRecord): JsonObject {
  const base: JsonObject = {
    ts: rec.captured.ts,
    src: formatEndpoint(rec.captured.src),
    dst: formatEndpoint(rec.captured.dst),
    type: rec.result.ok ? rec.result.value.type : TYPE_NAMES[rec.typeCode] ?? 'UNKNOWN',
    length: rec.length,
  };
  if (!rec.result.ok) {
    const e = rec.result.error;
    return { ...base, error: { code: e.code, subcode: e.subcode, action: e.action, message: e.message } };
  }
  const fields = { ...base, ...messageFields(rec.result.value) };
  const worst = rec.result.value.type === 'UPDATE' ? strongestError(rec.result.value.errors) : null;
  // RFC 7606 §2: an UPDATE with attribute errors is still delivered; its error says what to do with it.
  if (worst) fields.error = { code: worst.code, subcode: worst.subcode, action: worst.action, message: worst.message };
  return fields;
}

const RANK = { 'attribute-discard': 0, 'treat-as-withdraw': 1, 'session-reset': 2 } as const;

function strongestError(errors: DecodeError[] | undefined): DecodeError | null {
  let worst: DecodeError | null = null;
  for (const e of errors ?? []) if (!worst || RANK[e.action] > RANK[worst.action]) worst = e;
  return worst;
}

function messageFields(m: BgpMessage): JsonObject {
  switch (m.type) {
    case 'OPEN':
      return {
        version: m.version, myAs: m.myAs, asn: effectiveAs(m), holdTime: m.holdTime, bgpId: m.bgpId,
        capabilities: openCapabilities(m).map(capabilityJson),
      };
    case 'UPDATE': return updateFields(m);
    case 'NOTIFICATION': {
      const out: JsonObject = { code: m.code, subcode: m.subcode, name: notificationName(m.code, m.subcode), data: hex(m.data) };
      const shutdown = decodeShutdownCommunication(m);
      if (shutdown?.ok) out.shutdownMessage = shutdown.value;
      return out;
    }
    case 'ROUTE-REFRESH': return { afi: m.afi, safi: m.safi, subtype: m.subtype };
    case 'KEEPALIVE': return {};
  }
}

function updateFields(m: UpdateMessage): JsonObject {
  const a = m.attributes;
  return {
    withdrawn: m.withdrawn,
    nlri: m.nlri,
    // RFC 4271 §5.1.3: the IPv4 NLRI's next hop travels in NEXT_HOP (IPv6's in MP_REACH_NLRI)
    nextHop: a.nextHop ?? null,
    mpReach: a.mpReach ? { afi: a.mpReach.afi, safi: a.mpReach.safi, nextHops: a.mpReach.nextHops, nlri: a.mpReach.nlri } : null,
    mpUnreach: a.mpUnreach ? { afi: a.mpUnreach.afi, safi: a.mpUnreach.safi, withdrawn: a.mpUnreach.withdrawn } : null,
    origin: a.origin ?? null,
    asPath: (a.asPath ?? []).map((s) => ({ type: s.type, asns: s.asns })),
    med: a.med ?? null,
    localPref: a.localPref ?? null,
    communities: (a.communities ?? []).map(communityName),
    largeCommunities: (a.largeCommunities ?? []).map((c) => c.join(':')),
    endOfRib: isEndOfRib(m) !== null,
  };
}

function capabilityJson(c: Capability): JsonObject {
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(c)) out[k] = toJsonValue(v);
  return out;
}

function toJsonValue(v: unknown): JsonValue {
  if (v instanceof Uint8Array) return hex(v);
  if (Array.isArray(v)) return v.map(toJsonValue);
  if (v && typeof v === 'object') {
    const o: JsonObject = {};
    for (const [k, x] of Object.entries(v)) o[k] = toJsonValue(x);
    return o;
  }
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' || v === null) return v;
  return String(v);
}
