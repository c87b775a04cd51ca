import { CaptureError } from './errors.js';
import type { Frame } from './frame.js';
import { isClassicPcap, readClassicPcap } from './pcap-classic.js';
import { isPcapng, readPcapng } from './pcapng.js';

export type CaptureFormat = 'pcap' | 'pcapng';

/** Every frame of a pcap or pcapng file; throws CaptureError saying what is wrong and where. */
export function readFrames(bytes: Uint8Array): { format: CaptureFormat; frames: Frame[] } {
  if (isPcapng(bytes)) return { format: 'pcapng', frames: readPcapng(bytes) };
  if (isClassicPcap(bytes)) return { format: 'pcap', frames: readClassicPcap(bytes) };
  if (bytes.length < 4) throw new CaptureError(`not a capture file: only ${bytes.length} bytes`, 0);
  const magic = Array.from(bytes.subarray(0, 4), (b) => b.toString(16).padStart(2, '0')).join('');
  throw new CaptureError(`not a pcap or pcapng file: magic number 0x${magic} is neither`, 0);
}
