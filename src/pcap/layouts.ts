import { Parser } from 'binary-parser/dist/binary_parser.js';
import { layout } from './layout.js';

/** Fixed layouts of capture files, link layers, IP and TCP headers, drawn like their RFC figures. */

export interface PcapHeader { magic: number; major: number; minor: number; snaplen: number; linkType: number }
const pcapHeader = (e: 'le' | 'be') => layout<PcapHeader>(24, new Parser().endianness(e === 'le' ? 'little' : 'big')
  .uint32('magic').uint16('major').uint16('minor').seek(8).uint32('snaplen').uint32('linkType'));
export const PCAP_HEADER = { le: pcapHeader('le'), be: pcapHeader('be') };

export interface PcapRecord { sec: number; frac: number; caplen: number; origlen: number }
const pcapRecord = (e: 'le' | 'be') => layout<PcapRecord>(16, new Parser().endianness(e === 'le' ? 'little' : 'big')
  .uint32('sec').uint32('frac').uint32('caplen').uint32('origlen'));
export const PCAP_RECORD = { le: pcapRecord('le'), be: pcapRecord('be') };

export interface BlockHeader { type: number; length: number }
const blockHeader = (e: 'le' | 'be') => layout<BlockHeader>(8, new Parser().endianness(e === 'le' ? 'little' : 'big')
  .uint32('type').uint32('length'));
export const BLOCK_HEADER = { le: blockHeader('le'), be: blockHeader('be') };

export interface Idb { linkType: number; snaplen: number }
const idb = (e: 'le' | 'be') => layout<Idb>(8, new Parser().endianness(e === 'le' ? 'little' : 'big')
  .uint16('linkType').seek(2).uint32('snaplen'));
export const IDB = { le: idb('le'), be: idb('be') };

export interface Epb { iface: number; tsHigh: number; tsLow: number; caplen: number; origlen: number }
const epb = (e: 'le' | 'be') => layout<Epb>(20, new Parser().endianness(e === 'le' ? 'little' : 'big')
  .uint32('iface').uint32('tsHigh').uint32('tsLow').uint32('caplen').uint32('origlen'));
export const EPB = { le: epb('le'), be: epb('be') };

export interface OptionHeader { code: number; length: number }
const optionHeader = (e: 'le' | 'be') => layout<OptionHeader>(4, new Parser().endianness(e === 'le' ? 'little' : 'big')
  .uint16('code').uint16('length'));
export const OPTION_HEADER = { le: optionHeader('le'), be: optionHeader('be') };

export const U16BE = layout<{ v: number }>(2, new Parser().uint16be('v'));
export const U32BE = layout<{ v: number }>(4, new Parser().uint32be('v'));
export const U32LE = layout<{ v: number }>(4, new Parser().uint32le('v'));

export interface Ipv4Header {
  version: number; ihl: number; totalLength: number; flags: number; fragOffset: number;
  protocol: number; src: number[]; dst: number[];
}
export const IPV4 = layout<Ipv4Header>(20, new Parser()
  .bit4('version').bit4('ihl').seek(1).uint16be('totalLength').seek(2)
  .bit3('flags').bit13('fragOffset').seek(1).uint8('protocol').seek(2)
  .array('src', { type: 'uint8', length: 4 }).array('dst', { type: 'uint8', length: 4 }));

export interface Ipv6Header { version: number; payloadLength: number; nextHeader: number; src: number[]; dst: number[] }
export const IPV6 = layout<Ipv6Header>(40, new Parser()
  .bit4('version').bit28('flow').uint16be('payloadLength').uint8('nextHeader').seek(1)
  .array('src', { type: 'uint8', length: 16 }).array('dst', { type: 'uint8', length: 16 }));

export interface TcpHeader { srcPort: number; dstPort: number; seq: number; ack: number; dataOffset: number; flags: number }
export const TCP = layout<TcpHeader>(20, new Parser()
  .uint16be('srcPort').uint16be('dstPort').uint32be('seq').uint32be('ack')
  .bit4('dataOffset').bit4('reserved').uint8('flags').seek(6));

/** Linux cooked capture v1 (DLT 113) and v2 (DLT 276): only the protocol field matters here. */
export const SLL = layout<{ protocol: number }>(16, new Parser().seek(14).uint16be('protocol'));
export const SLL2 = layout<{ protocol: number }>(20, new Parser().uint16be('protocol').seek(18));

export interface JuniperHeader { magic: number; flags: number }
export const JUNIPER = layout<JuniperHeader>(4, new Parser().bit24('magic').uint8('flags'));
