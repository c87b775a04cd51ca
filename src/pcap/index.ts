/** Reading BGP messages out of pcap / pcapng captures. Pure: bytes in, messages out. */
import { bgpMessages, type BgpCaptureStats, type CapturedMessage } from './bgp-capture.js';
import { readFrames, type CaptureFormat } from './capture.js';
import { CaptureError } from './errors.js';

export { bgpMessages, formatEndpoint, type BgpCaptureStats, type CapturedMessage, type Endpoint } from './bgp-capture.js';
export { readFrames, type CaptureFormat } from './capture.js';
export { CaptureError } from './errors.js';
export type { Frame } from './frame.js';
export { ipPayload, LinkType, type IpPayload } from './link-layer.js';
export { parseIp, type IpPacket } from './ip.js';
export { TcpStream, type StreamChunk } from './tcp-stream.js';
export { BgpSplitter, findHeader, type RawMessage } from './bgp-splitter.js';

export interface BgpCapture { format: CaptureFormat; messages: CapturedMessage[]; stats: BgpCaptureStats }

export type CaptureResult = { ok: true; value: BgpCapture } | { ok: false; error: CaptureError };

/** The BGP messages of a pcap/pcapng file's bytes; never throws. */
export function readBgpCapture(bytes: Uint8Array): CaptureResult {
  try {
    const { format, frames } = readFrames(bytes);
    const { messages, stats } = bgpMessages(frames);
    return { ok: true, value: { format, messages, stats } };
  } catch (err) {
    if (err instanceof CaptureError) return { ok: false, error: err };
    const message = err instanceof Error ? err.message : String(err);
    return { ok: false, error: new CaptureError(`unreadable capture: ${message}`, 0) };
  }
}
