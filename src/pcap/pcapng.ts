import { CaptureError } from './errors.js';
import { toSeconds, type Frame } from './frame.js';
import { BLOCK_HEADER, EPB, IDB, OPTION_HEADER, U32BE, U32LE } from './layouts.js';

const SHB = 0x0a0d0d0a;
const BYTE_ORDER_MAGIC = 0x1a2b3c4d;
const IDB_TYPE = 1;
const OPB_TYPE = 2;
const SPB_TYPE = 3;
const EPB_TYPE = 6;
const OPT_TSRESOL = 9;
const OPT_TSOFFSET = 14;

interface Iface { linkType: number; snaplen: number; unitsPerSecond: bigint; offsetSeconds: bigint }
type Order = 'le' | 'be';

export function isPcapng(bytes: Uint8Array): boolean {
  return U32BE.read(bytes, 0)?.v === SHB;
}

/** Frames of a pcapng file: SHB (either byte order, several sections), IDB, EPB, SPB and the obsolete PB. */
export function readPcapng(bytes: Uint8Array): Frame[] {
  const frames: Frame[] = [];
  let ifaces: Iface[] = [];
  let order: Order = 'le';
  let offset = 0;
  while (offset < bytes.length) {
    if (U32BE.read(bytes, offset)?.v === SHB) {
      const magic = U32LE.read(bytes, offset + 8)?.v;
      if (magic === undefined) throw new CaptureError('pcapng section header truncated', offset);
      if (magic === BYTE_ORDER_MAGIC) order = 'le';
      else if (U32BE.read(bytes, offset + 8)?.v === BYTE_ORDER_MAGIC) order = 'be';
      else throw new CaptureError('pcapng section header has no byte-order magic', offset + 8);
      ifaces = [];
    }
    const block = BLOCK_HEADER[order].read(bytes, offset);
    if (!block) throw new CaptureError('pcapng block header truncated', offset);
    if (block.length < 12 || block.length % 4 !== 0) {
      throw new CaptureError(`pcapng block type ${block.type} has invalid length ${block.length}`, offset);
    }
    if (offset + block.length > bytes.length) {
      throw new CaptureError(`pcapng block type ${block.type} of ${block.length} bytes runs past the end of the file`, offset);
    }
    const body = bytes.subarray(offset + 8, offset + block.length - 4);
    if (block.type === IDB_TYPE) ifaces.push(readIdb(body, order, offset));
    else if (block.type === EPB_TYPE || block.type === OPB_TYPE || block.type === SPB_TYPE) {
      const frame = readPacket(block.type, body, order, ifaces, offset, frames.length + 1);
      frames.push(frame);
    }
    offset += block.length;
  }
  return frames;
}

function readIdb(body: Uint8Array, order: Order, at: number): Iface {
  const idb = IDB[order].read(body, 0);
  if (!idb) throw new CaptureError('pcapng interface description block truncated', at);
  const iface: Iface = { linkType: idb.linkType, snaplen: idb.snaplen, unitsPerSecond: 1_000_000n, offsetSeconds: 0n };
  let p = 8;
  for (let guard = 0; guard < 1024 && p + 4 <= body.length; guard++) {
    const opt = OPTION_HEADER[order].read(body, p)!;
    if (opt.code === 0) break;
    const value = body.subarray(p + 4, p + 4 + opt.length);
    if (opt.code === OPT_TSRESOL && value.length >= 1) {
      const r = value[0]!;
      iface.unitsPerSecond = r & 0x80 ? 2n ** BigInt(r & 0x7f) : 10n ** BigInt(r);
    } else if (opt.code === OPT_TSOFFSET && value.length >= 8) {
      const dv = new DataView(value.buffer, value.byteOffset, 8);
      iface.offsetSeconds = dv.getBigInt64(0, order === 'le');
    }
    p += 4 + Math.ceil(opt.length / 4) * 4;
  }
  return iface;
}

function readPacket(type: number, body: Uint8Array, order: Order, ifaces: Iface[], at: number, index: number): Frame {
  if (type === SPB_TYPE) {
    const iface = ifaces[0];
    if (!iface) throw new CaptureError('pcapng simple packet block before any interface description', at);
    const origlen = (order === 'le' ? U32LE : U32BE).read(body, 0)?.v ?? 0;
    const caplen = Math.min(origlen, body.length - 4, iface.snaplen || Infinity);
    return { index, ts: 0, linkType: iface.linkType, data: body.subarray(4, 4 + caplen) };
  }
  const epb = EPB[order].read(body, 0);
  if (!epb) throw new CaptureError('pcapng packet block truncated', at);
  // The obsolete Packet Block has a 16-bit interface id followed by a 16-bit drop count.
  const ifaceId = type === OPB_TYPE ? (order === 'le' ? epb.iface & 0xffff : epb.iface >>> 16) : epb.iface;
  const iface = ifaces[ifaceId];
  if (!iface) throw new CaptureError(`pcapng packet block names interface ${ifaceId}, which was not described`, at);
  if (20 + epb.caplen > body.length) {
    throw new CaptureError(`pcapng packet block captured length ${epb.caplen} exceeds its block`, at);
  }
  const units = (BigInt(epb.tsHigh) << 32n) + BigInt(epb.tsLow) + iface.offsetSeconds * iface.unitsPerSecond;
  return { index, ts: toSeconds(units, iface.unitsPerSecond), linkType: iface.linkType, data: body.subarray(20, 20 + epb.caplen) };
}
