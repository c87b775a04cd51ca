import {
  decodeMessage, negotiate, openCapabilities,
  type BgpMessage, type CodecContext, type DecodeError, type OpenMessage, type Result,
} from '../../bgp/index.js';
import { formatEndpoint, type CapturedMessage } from '../../pcap/index.js';

/** One message of a capture with its decode: the message or the typed error, and the context used. */
export interface DecodedRecord {
  captured: CapturedMessage;
  /** The header's type octet (0 when the message is shorter than a header). */
  typeCode: number;
  /** The header's length field. */
  length: number;
  result: Result<BgpMessage, DecodeError>;
  /** The context the message was decoded with (negotiated, or the guess that worked). */
  context: CodecContext;
}

const LENIENT: CodecContext = { fourOctetAs: true, extendedMessage: true };
const ADD_PATH_FAMILIES = [{ afi: 1, safi: 1 }, { afi: 2, safi: 1 }];

/**
 * Decodes every captured message with its session's context: negotiated from the two OPENs of its TCP
 * connection when both were captured (RFC 6793 §3, RFC 8654 §3, RFC 7911 §4); otherwise the first of a few
 * plausible contexts that decodes (a capture joined mid-session has no OPENs).
 */
export function decodeCapture(messages: CapturedMessage[]): DecodedRecord[] {
  const opens = new Map<string, OpenMessage>();
  for (const m of messages) {
    if (m.bytes[18] !== 1) continue;
    const r = decodeMessage(m.bytes, LENIENT);
    const key = sideKey(m.connection, formatEndpoint(m.src));
    if (r.ok && r.value.type === 'OPEN' && !opens.has(key)) opens.set(key, r.value);
  }
  return messages.map((m) => {
    const sender = opens.get(sideKey(m.connection, formatEndpoint(m.src)));
    const receiver = opens.get(sideKey(m.connection, formatEndpoint(m.dst)));
    const length = m.bytes.length >= 18 ? (m.bytes[16]! << 8) | m.bytes[17]! : m.bytes.length;
    return { captured: m, typeCode: m.bytes[18] ?? 0, length, ...decodeWithContext(m.bytes, sender, receiver) };
  });
}

function sideKey(connection: number, endpoint: string): string {
  return `${connection}|${endpoint}`;
}

type Decoded = { result: Result<BgpMessage, DecodeError>; context: CodecContext };

function decodeWithContext(bytes: Uint8Array, sender?: OpenMessage, receiver?: OpenMessage): Decoded {
  if (sender && receiver) {
    const context = negotiate(receiver, sender);
    return { result: decodeMessage(bytes, context), context };
  }
  let flawed: Decoded | null = null;
  let failed: Decoded | null = null;
  for (const context of guesses(sender)) {
    const result = decodeMessage(bytes, context);
    if (!result.ok) {
      // A wrong guess shows as garbled prefixes or AS paths (3/10, 3/11): prefer any other failure.
      if (!failed || (garbled(failed) && !garbled({ result, context }))) failed = { result, context };
    } else if (result.value.type === 'UPDATE' && result.value.errors?.length) flawed ??= { result, context };
    else return { result, context };
  }
  return (flawed ?? failed)!;
}

function garbled(d: Decoded): boolean {
  return !d.result.ok && d.result.error.code === 3 && (d.result.error.subcode === 10 || d.result.error.subcode === 11);
}

function guesses(sender?: OpenMessage): CodecContext[] {
  const as4First = !sender || openCapabilities(sender).some((c) => c.name === 'four-octet-as');
  const widths = as4First ? [true, false] : [false, true];
  const out: CodecContext[] = [];
  for (const addPath of [false, true]) {
    for (const fourOctetAs of widths) {
      out.push(addPath
        ? { fourOctetAs, extendedMessage: true, addPathReceive: ADD_PATH_FAMILIES }
        : { fourOctetAs, extendedMessage: true });
    }
  }
  return out;
}
