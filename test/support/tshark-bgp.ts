/**
 * Test helper: the BGP messages of a capture, extracted with tshark (used before and beside our
 * own pcap reader). Per TCP stream and direction, segments are ordered by sequence number,
 * retransmissions dropped, and the bytes cut at each BGP header; a stream that starts mid-message
 * is resynchronised on the marker.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface CapturedMessage {
  /** `stream/src:port` of the TCP direction it came from. */
  direction: string;
  /** The whole message as the header's length field frames it (may have an invalid type). */
  bytes: Uint8Array;
}

interface Segment { seq: number; payload: Buffer }

/** The TCP byte runs of `file` per direction, each starting at its first BGP marker. */
export async function captureStreams(tshark: string, file: string): Promise<CapturedMessage[]> {
  const { stdout: out } = await run(tshark, [
    '-r', file, '-Y', 'tcp.payload', '-T', 'fields', '-E', 'separator=|',
    '-e', 'tcp.stream', '-e', 'ip.src', '-e', 'ipv6.src', '-e', 'tcp.srcport', '-e', 'tcp.seq_raw', '-e', 'tcp.payload',
  ], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  const byDirection = new Map<string, Segment[]>();
  for (const line of out.split('\n')) {
    if (!line) continue;
    const [stream, src4, src6, port, seq, payload] = line.split('|');
    if (!payload) continue;
    const key = `${stream}/${src4 || src6}:${port}`;
    const list = byDirection.get(key) ?? [];
    list.push({ seq: Number(seq), payload: Buffer.from(payload.replace(/:/g, ''), 'hex') });
    byDirection.set(key, list);
  }
  const runs: CapturedMessage[] = [];
  for (const [direction, segments] of byDirection) {
    for (const bytes of reassemble(segments)) {
      const at = bytes.indexOf(MARKER);
      if (at >= 0) runs.push({ direction, bytes: new Uint8Array(bytes.subarray(at)) });
    }
  }
  return runs;
}

/**
 * Every BGP message of `file`, in capture order per direction; after a bad header the cut
 * resynchronises on the next marker, so fuzzed captures yield every embedded message.
 */
export async function captureMessages(tshark: string, file: string): Promise<CapturedMessage[]> {
  return (await captureStreams(tshark, file)).flatMap((s) => cutMessages(Buffer.from(s.bytes)).map((bytes) => ({ direction: s.direction, bytes })));
}

/**
 * Contiguous runs of stream bytes; a gap (lost segment) starts a new run, and so does a segment
 * that overlaps earlier bytes with different content (crafted captures reuse sequence numbers).
 */
function reassemble(segments: Segment[]): Buffer[] {
  const sorted = [...segments].sort((a, b) => a.seq - b.seq);
  const runs: Buffer[] = [];
  let parts: Buffer[] = [];
  let next = -1;
  let whole = Buffer.alloc(0);
  let base = 0;
  for (const s of sorted) {
    const end = s.seq + s.payload.length;
    if (next >= 0 && s.seq < next) {
      whole = Buffer.concat(parts);
      const overlap = whole.subarray(s.seq - base, Math.min(end, next) - base);
      const same = overlap.equals(s.payload.subarray(0, overlap.length));
      if (same && end <= next) continue;
      if (!same) {
        runs.push(whole);
        parts = [s.payload];
        base = s.seq;
        next = end;
        continue;
      }
    }
    if (next >= 0 && s.seq > next) {
      runs.push(Buffer.concat(parts));
      parts = [];
      next = -1;
    }
    if (next < 0) base = s.seq;
    parts.push(next < 0 ? s.payload : s.payload.subarray(next - s.seq));
    next = end;
  }
  if (parts.length) runs.push(Buffer.concat(parts));
  return runs;
}

const MARKER = Buffer.alloc(16, 0xff);

/** Whole messages of a run, resynchronising on the marker; a partial last message is dropped. */
function cutMessages(run: Buffer): Uint8Array[] {
  const out: Uint8Array[] = [];
  let p = run.indexOf(MARKER);
  for (let guard = 0; p >= 0 && p + 19 <= run.length && guard < 100000; guard++) {
    if (!run.subarray(p, p + 16).equals(MARKER)) {
      p = run.indexOf(MARKER, p + 1);
      continue;
    }
    const len = run.readUInt16BE(p + 16);
    if (len < 19) {
      out.push(new Uint8Array(run.subarray(p, p + 19)));
      break;
    }
    if (p + len > run.length) break;
    out.push(new Uint8Array(run.subarray(p, p + len)));
    p += len;
  }
  return out;
}

/** `fn` over `items`, at most `limit` at a time, results in order. */
export async function mapLimit<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}
