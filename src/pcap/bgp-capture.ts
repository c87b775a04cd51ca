import { BgpSplitter } from './bgp-splitter.js';
import type { Frame } from './frame.js';
import { parseIp } from './ip.js';
import { TCP } from './layouts.js';
import { ipPayload } from './link-layer.js';
import { TcpStream } from './tcp-stream.js';

export interface Endpoint { address: string; port: number }

/** One BGP message found in a capture, in the order its last byte arrived. */
export interface CapturedMessage {
  ts: number;
  /** Frame number (1-based) of the segment that completed the message. */
  frame: number;
  src: Endpoint;
  dst: Endpoint;
  /** The TCP connection it belongs to; both directions share it (pairs OPENs for a session's context). */
  connection: number;
  bytes: Uint8Array;
  /** The capture ended inside this message: `bytes` is shorter than its header's length. */
  truncated?: boolean;
}

export interface BgpCaptureStats { frames: number; tcpSegments: number; skippedFrames: number; leftoverBytes: number }

const BGP_PORT = 179;
const TCP_PROTO = 6;
const SYN = 0x02;
const ACK = 0x10;

interface Direction { stream: TcpStream; splitter: BgpSplitter | null; isn: number | null; connection: number; src: Endpoint; dst: Endpoint }

/** `addr:port`, with IPv6 addresses in brackets. */
export function formatEndpoint(e: Endpoint): string {
  return e.address.includes(':') ? `[${e.address}]:${e.port}` : `${e.address}:${e.port}`;
}

/** Reassembles every TCP direction and cuts out the BGP messages (port 179, or anything with a marker). */
export function bgpMessages(frames: Frame[]): { messages: CapturedMessage[]; stats: BgpCaptureStats } {
  const dirs = new Map<string, Direction>();
  const connections = new Map<string, number>();
  const messages: CapturedMessage[] = [];
  const stats: BgpCaptureStats = { frames: frames.length, tcpSegments: 0, skippedFrames: 0, leftoverBytes: 0 };
  let lastTs = 0;
  let connectionCount = 0;
  for (const frame of frames) {
    lastTs = frame.ts;
    const ip = ipPayload(frame.linkType, frame.data);
    const pkt = ip && parseIp(ip);
    const tcp = pkt && pkt.protocol === TCP_PROTO ? TCP.read(pkt.payload, 0) : null;
    if (!pkt || !tcp || tcp.dataOffset < 5) {
      stats.skippedFrames++;
      continue;
    }
    stats.tcpSegments++;
    const src = { address: pkt.src, port: tcp.srcPort };
    const dst = { address: pkt.dst, port: tcp.dstPort };
    const key = `${formatEndpoint(src)}>${formatEndpoint(dst)}`;
    let dir = dirs.get(key);
    const isSyn = (tcp.flags & SYN) !== 0;
    const newConnection = isSyn && dir !== undefined && (dir.isn === null ? dir.splitter !== null : dir.isn !== tcp.seq);
    if (!dir || newConnection) {
      const connKey = [formatEndpoint(src), formatEndpoint(dst)].sort().join('|');
      // A SYN without ACK opens a new connection; its SYN-ACK and later segments join it.
      if (!connections.has(connKey) || (isSyn && !(tcp.flags & ACK))) connections.set(connKey, ++connectionCount);
      dir = { stream: new TcpStream(), splitter: null, isn: null, connection: connections.get(connKey)!, src, dst };
      dirs.set(key, dir);
    }
    const payload = pkt.payload.subarray(tcp.dataOffset * 4);
    let chunks;
    if (isSyn && dir.isn === null) chunks = dir.stream.syn(tcp.seq, payload, frame.ts, frame.index);
    else chunks = dir.stream.push(isSyn ? (tcp.seq + 1) >>> 0 : tcp.seq, payload, frame.ts, frame.index);
    if (isSyn) dir.isn = tcp.seq;
    for (const chunk of chunks) {
      dir.splitter ??= new BgpSplitter(!dir.stream.unsynced && (src.port === BGP_PORT || dst.port === BGP_PORT));
      for (const m of dir.splitter.push(chunk)) {
        messages.push({ ts: m.ts, frame: m.frame, src, dst, connection: dir.connection, bytes: m.bytes });
      }
    }
  }
  for (const dir of dirs.values()) {
    for (const chunk of dir.stream.flush()) {
      dir.splitter ??= new BgpSplitter(false);
      for (const m of dir.splitter.push(chunk)) {
        messages.push({ ts: m.ts, frame: m.frame, src: dir.src, dst: dir.dst, connection: dir.connection, bytes: m.bytes });
      }
    }
    const tail = dir.splitter?.finish(lastTs, frames.length);
    if (tail) messages.push({ ...tail, src: dir.src, dst: dir.dst, connection: dir.connection });
    stats.leftoverBytes += dir.splitter?.pendingBytes ?? 0;
  }
  // Messages completed by a late flush belong where their last segment arrived.
  messages.sort((a, b) => a.frame - b.frame);
  return { messages, stats };
}
