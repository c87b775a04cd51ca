import { writeAttributes } from './attributes-encode.js';
import { Writer } from './bytes.js';
import { HEADER_LENGTH } from './constants.js';
import { maxMessageLength } from './header.js';
import { encodeMessage } from './message.js';
import { hasFamily } from './mp.js';
import { prefixAfi, prefixSize } from './prefix.js';
import { AFI_IPV4, AFI_IPV6, SAFI_UNICAST, type CodecContext, type PathAttributes, type UpdateMessage } from './types.js';

export interface PackInput {
  withdrawn: string[];
  /** Attributes shared by every announced prefix; IPv6 prefixes need `mpReach.nextHops` (the rest of `mpReach` is ignored). */
  attributes: PathAttributes;
  nlri: string[];
}

/** Withdrawn-routes length, total path attribute length. */
const UPDATE_FIXED = HEADER_LENGTH + 4;

/**
 * UPDATE messages carrying the input: withdrawals first, then announcements, each message holding
 * as many prefixes as fit in the negotiated maximum (RFC 4271 §4.3, RFC 8654); IPv6 goes in
 * MP_UNREACH_NLRI / MP_REACH_NLRI (RFC 4760); attributes in type-code order.
 */
export function packUpdates(input: PackInput, ctx: CodecContext): Uint8Array[] {
  return packUpdateMessages(input, ctx).map((m) => encodeMessage(m, ctx));
}

export function packUpdateMessages(input: PackInput, ctx: CodecContext): UpdateMessage[] {
  const max = maxMessageLength(ctx);
  const out: UpdateMessage[] = [];
  const v4w = input.withdrawn.filter((p) => prefixAfi(p) === AFI_IPV4);
  const v6w = input.withdrawn.filter((p) => prefixAfi(p) === AFI_IPV6);
  const v4n = input.nlri.filter((p) => prefixAfi(p) === AFI_IPV4);
  const v6n = input.nlri.filter((p) => prefixAfi(p) === AFI_IPV6);
  const ap4 = hasFamily(ctx.addPathSend, AFI_IPV4, SAFI_UNICAST);
  const ap6 = hasFamily(ctx.addPathSend, AFI_IPV6, SAFI_UNICAST);
  const { mpReach, mpUnreach, ...shared } = input.attributes;
  void mpUnreach;

  for (const chunk of chunks(v4w, max - UPDATE_FIXED, 0, ap4)) {
    out.push({ type: 'UPDATE', withdrawn: chunk, attributes: {}, nlri: [] });
  }
  for (const chunk of chunks(v6w, max - UPDATE_FIXED - 3, 3, ap6)) {
    out.push({ type: 'UPDATE', withdrawn: [], attributes: { mpUnreach: { afi: AFI_IPV6, safi: SAFI_UNICAST, withdrawn: chunk } }, nlri: [] });
  }
  if (v4n.length > 0) {
    if (shared.nextHop === undefined) throw new RangeError('packUpdates: IPv4 prefixes need attributes.nextHop');
    const room = max - UPDATE_FIXED - attributesSize(shared, ctx);
    for (const chunk of chunks(v4n, room, 0, ap4)) out.push({ type: 'UPDATE', withdrawn: [], attributes: shared, nlri: chunk });
  }
  if (v6n.length > 0) {
    const nextHops = mpReach?.nextHops ?? [];
    if (nextHops.length === 0) throw new RangeError('packUpdates: IPv6 prefixes need attributes.mpReach.nextHops');
    const { nextHop, ...rest } = shared;
    void nextHop;
    // AFI, SAFI, next hop length, next hops, reserved
    const mpFixed = 5 + 16 * nextHops.length;
    const room = max - UPDATE_FIXED - attributesSize(rest, ctx) - mpFixed;
    for (const chunk of chunks(v6n, room, mpFixed, ap6)) {
      out.push({
        type: 'UPDATE', withdrawn: [], nlri: [],
        attributes: { ...rest, mpReach: { afi: AFI_IPV6, safi: SAFI_UNICAST, nextHops, nlri: chunk } },
      });
    }
  }
  return out;
}

function attributesSize(a: PathAttributes, ctx: CodecContext): number {
  const w = new Writer(256);
  writeAttributes(w, a, ctx);
  return w.pos;
}

/**
 * Splits prefixes into runs whose encoded size fits `room`. With `mpFixed` set, the prefixes sit
 * inside an MP attribute whose header grows from 3 to 4 octets once its value passes 255.
 */
function* chunks(prefixes: string[], room: number, mpFixed: number, addPath: boolean): Generator<string[]> {
  let i = 0;
  while (i < prefixes.length) {
    let used = 0;
    const start = i;
    while (i < prefixes.length) {
      const size = prefixSize(prefixes[i]!, addPath);
      const attrHeader = mpFixed === 0 ? 0 : mpFixed + used + size > 255 ? 4 : 3;
      if (used + size + attrHeader > room) break;
      used += size;
      i++;
    }
    if (i === start) throw new RangeError(`packUpdates: prefix '${prefixes[i]}' does not fit in one UPDATE`);
    yield prefixes.slice(start, i);
  }
}
