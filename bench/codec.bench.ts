// Codec throughput: `npm run bench:codec`. Figures go to docs/benchmarks.md ("Codec").
import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { decodeMessage, encodeMessage, packUpdates } from '../src/bgp/index.js';
import type { BgpMessage, CodecContext } from '../src/bgp/types.js';
import { captureMessages, mapLimit } from '../test/support/tshark-bgp.js';
import { findTool } from '../test/support/require-tool.js';

const ctx: CodecContext = { fourOctetAs: true, extendedMessage: false };

/** Runs `fn` in batches until `ms` have passed; returns operations per second. */
function rate(fn: () => void, ms = 1500): number {
  for (let i = 0; i < 2000; i++) fn();
  let ops = 0;
  const start = process.hrtime.bigint();
  const limit = BigInt(ms) * 1_000_000n;
  let elapsed = 0n;
  while (elapsed < limit) {
    for (let i = 0; i < 10000; i++) fn();
    ops += 10000;
    elapsed = process.hrtime.bigint() - start;
  }
  return ops / (Number(elapsed) / 1e9);
}

function fmt(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

let sink = 0;
function decodeOrDie(b: Uint8Array, c: CodecContext = ctx): BgpMessage {
  const r = decodeMessage(b, c);
  if (!r.ok) throw new Error(`bench input does not decode: ${r.error.message}`);
  return r.value;
}

// (a) a typical VIP UPDATE: one /32, ORIGIN, AS_PATH, NEXT_HOP, MED
const vip: BgpMessage = {
  type: 'UPDATE', withdrawn: [], nlri: ['10.2.1.1/32'],
  attributes: { origin: 'IGP', asPath: [{ type: 'AS_SEQUENCE', asns: [64600] }], nextHop: '10.0.0.1', med: 10 },
};
const vipBytes = encodeMessage(vip, ctx);
const vipMsg = decodeOrDie(vipBytes);
const aDecode = rate(() => { const r = decodeMessage(vipBytes, ctx); if (r.ok) sink++; });
const aEncode = rate(() => { sink += encodeMessage(vipMsg, ctx).length; });
console.log(`(a) VIP UPDATE (${vipBytes.length} B): decode ${fmt(aDecode)}/s, encode ${fmt(aEncode)}/s`);

// (b) a 4096-byte UPDATE full of /32s
const many: string[] = [];
for (let i = 0; i < 2000; i++) many.push(`10.${(i >> 8) & 255}.${i & 255}.${(i * 7) & 255}/32`);
const full = packUpdates({ withdrawn: [], nlri: many, attributes: vip.type === 'UPDATE' ? vip.attributes : {} }, ctx)[0]!;
const fullMsg = decodeOrDie(full);
const bDecode = rate(() => { const r = decodeMessage(full, ctx); if (r.ok) sink++; }, 2000);
const bEncode = rate(() => { sink += encodeMessage(fullMsg, ctx).length; }, 2000);
const prefixes = fullMsg.type === 'UPDATE' ? fullMsg.nlri.length : 0;
// decode validates every prefix but builds the prefix strings on first read; this reads them all
const bStrings = rate(() => { const r = decodeMessage(full, ctx); if (r.ok && r.value.type === 'UPDATE') sink += r.value.nlri.length; }, 2000);
console.log(`(b) full UPDATE (${full.length} B, ${prefixes} /32s): decode ${fmt(bDecode)}/s = ${(bDecode * full.length / 1e6).toFixed(0)} MB/s, ` +
  `encode ${fmt(bEncode)}/s = ${(bEncode * full.length / 1e6).toFixed(0)} MB/s`);
console.log(`    decode and read every prefix string: ${fmt(bStrings)}/s = ${(bStrings * full.length / 1e6).toFixed(0)} MB/s`);

// (c) the whole public capture corpus (extracted with tshark once, outside the timing)
const dir = resolve('..', 'shared', 'pcaps', 'public');
const tshark = findTool('tshark');
if (!existsSync(dir) || !tshark) {
  console.log(`(c) corpus: skipped (${!tshark ? 'tshark not installed' : `${dir} absent`})`);
} else {
  const files = readdirSync(dir).filter((f) => /\.(pcap|pcapng|cap)$/.test(f));
  const corpus = (await mapLimit(files, 4, (f) => captureMessages(tshark, join(dir, f)))).flat().map((m) => m.bytes);
  const c2: CodecContext = { fourOctetAs: true, extendedMessage: true };
  const decoded = corpus.map((b) => decodeMessage(b, c2)).flatMap((r) => (r.ok ? [r.value] : []));
  const bytes = corpus.reduce((n, b) => n + b.length, 0);
  const cDecode = rate(() => { for (const b of corpus) if (decodeMessage(b, c2).ok) sink++; }, 2000);
  const cEncode = rate(() => { for (const m of decoded) sink += encodeMessage(m, c2).length; }, 2000);
  console.log(`(c) corpus (${corpus.length} messages, ${bytes} B from ${files.length} captures): decode ${fmt(cDecode * corpus.length)} msg/s = ` +
    `${(cDecode * bytes / 1e6).toFixed(0)} MB/s; encode ${fmt(cEncode * decoded.length)} msg/s (${decoded.length} decodable)`);
}


// (d) the 19-octet header, DESIGN.md's candidate for binary-parser: its compiled parser vs our hand-written check
{
  const { Parser } = await import('binary-parser/dist/binary_parser.js');
  const header = new Parser().endianness('big').array('marker', { type: 'uint8', length: 16 }).uint16('length').uint8('type');
  const buf = Buffer.from(vipBytes);
  const parsed = header.parse(buf) as { length: number; type: number };
  if (parsed.length !== vipBytes.length || parsed.type !== 2) throw new Error('binary-parser header disagrees');
  const { checkHeader } = await import('../src/bgp/header.js');
  const viaLibrary = rate(() => { const h = header.parse(buf) as { marker: number[]; length: number; type: number }; if (h.marker.every((x) => x === 0xff)) sink += h.length; });
  const byHand = rate(() => { const h = checkHeader(vipBytes, 0, 4096); if ('length' in h) sink += h.length; });
  console.log(`(d) header parse: binary-parser ${fmt(viaLibrary)}/s, hand-written ${fmt(byHand)}/s`);
}
if (sink === 42) console.log('');
