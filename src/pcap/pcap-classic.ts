import { CaptureError } from './errors.js';
import { toSeconds, type Frame } from './frame.js';
import { PCAP_HEADER, PCAP_RECORD, U32BE, U32LE } from './layouts.js';

const MAGIC_US = 0xa1b2c3d4;
const MAGIC_NS = 0xa1b23c4d;

/** True when the bytes start with a classic pcap magic number, in either byte order. */
export function isClassicPcap(bytes: Uint8Array): boolean {
  return [U32LE.read(bytes, 0)?.v, U32BE.read(bytes, 0)?.v].some((m) => m === MAGIC_US || m === MAGIC_NS);
}

/** Frames of a classic pcap file (both byte orders, microsecond and nanosecond variants). */
export function readClassicPcap(bytes: Uint8Array): Frame[] {
  const le = PCAP_HEADER.le.read(bytes, 0);
  if (!le) throw new CaptureError('pcap file header truncated: need 24 bytes', bytes.length);
  const order = le.magic === MAGIC_US || le.magic === MAGIC_NS ? 'le' : 'be';
  const header = order === 'le' ? le : PCAP_HEADER.be.read(bytes, 0)!;
  const unitsPerSecond = header.magic === MAGIC_NS ? 1_000_000_000n : 1_000_000n;
  const frames: Frame[] = [];
  let offset = 24;
  while (offset < bytes.length) {
    const rec = PCAP_RECORD[order].read(bytes, offset);
    if (!rec) throw new CaptureError(`pcap record ${frames.length + 1}: header truncated`, offset);
    const start = offset + 16;
    if (start + rec.caplen > bytes.length) {
      throw new CaptureError(`pcap record ${frames.length + 1}: captured length ${rec.caplen} runs past the end of the file`, offset);
    }
    const units = BigInt(rec.sec) * unitsPerSecond + BigInt(rec.frac);
    frames.push({
      index: frames.length + 1,
      ts: toSeconds(units, unitsPerSecond),
      linkType: header.linkType & 0x0fff_ffff,
      data: bytes.subarray(start, start + rec.caplen),
    });
    offset = start + rec.caplen;
  }
  return frames;
}
