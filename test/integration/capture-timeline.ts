// Reads a tcpdump capture of a speaker ↔ router session into one line per BGP message or FIN/RST,
// in wire order, using our own pcap reader and codec.
import { readFileSync } from 'node:fs';
import { ipPayload, parseIp, readBgpCapture, readFrames } from '../../src/pcap/index.js';
import { TCP } from '../../src/pcap/layouts.js';
import { decodeMessage } from '../../src/bgp/index.js';
import type { BgpMessage } from '../../src/bgp/types.js';

export interface WireEvent {
  frame: number;
  /** True when the speaker (the side at `speakerIp`) sent it. */
  fromSpeaker: boolean;
  /** Source address of the segment. */
  src: string;
  connection: number;
  /** OPEN, UPDATE, KEEPALIVE, NOTIFICATION, ROUTE-REFRESH, FIN or RST. */
  kind: string;
  message?: BgpMessage;
}

const FIN = 0x01;
const RST = 0x04;

export function captureTimeline(file: string, speakerIp: string): WireEvent[] {
  const bytes = new Uint8Array(readFileSync(file));
  const cap = readBgpCapture(bytes);
  if (!cap.ok) throw new Error(`${file}: ${cap.error.message}`);
  const events: WireEvent[] = [];
  for (const m of cap.value.messages) {
    const r = decodeMessage(m.bytes, { fourOctetAs: true, extendedMessage: false });
    events.push({
      frame: m.frame, fromSpeaker: m.src.address === speakerIp, src: m.src.address, connection: m.connection,
      kind: r.ok ? r.value.type : 'UNDECODABLE', ...(r.ok ? { message: r.value } : {}),
    });
  }
  const { frames } = readFrames(bytes);
  frames.forEach((f, i) => {
    const ip = ipPayload(f.linkType, f.data);
    const pkt = ip && parseIp(ip);
    if (!pkt || pkt.protocol !== 6) return;
    const tcp = TCP.read(pkt.payload, 0);
    if (!tcp || !(tcp.flags & (FIN | RST))) return;
    events.push({ frame: i + 1, fromSpeaker: pkt.src === speakerIp, src: pkt.src, connection: -1, kind: tcp.flags & RST ? 'RST' : 'FIN' });
  });
  // A FIN in the same segment as a message's last bytes comes after that message.
  return events.sort((a, b) => a.frame - b.frame || (a.kind === 'FIN' || a.kind === 'RST' ? 1 : 0) - (b.kind === 'FIN' || b.kind === 'RST' ? 1 : 0));
}

/** Short text per event, e.g. "> UPDATE-withdraw", "< NOTIFICATION 6/2", "> FIN". */
export function describe(e: WireEvent): string {
  const dir = e.fromSpeaker ? '>' : '<';
  const m = e.message;
  if (m?.type === 'NOTIFICATION') return `${dir} NOTIFICATION ${m.code}/${m.subcode}`;
  if (m?.type === 'UPDATE') {
    const w = m.withdrawn.length + (m.attributes.mpUnreach?.withdrawn.length ?? 0);
    const a = m.nlri.length + (m.attributes.mpReach?.nlri.length ?? 0);
    return `${dir} UPDATE${w ? '-withdraw' : ''}${a ? '-announce' : ''}${!w && !a ? '-eor' : ''}`;
  }
  return `${dir} ${e.kind}`;
}
