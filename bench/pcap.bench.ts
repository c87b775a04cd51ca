// `node scripts/bench.mjs pcap`: how fast captures are read into BGP messages (src/pcap) and decoded (vipd decode).
import { readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { decodeCapture } from '../src/cli/decode/decode-capture.js';
import { readBgpCapture } from '../src/pcap/index.js';
import { captureFiles, FIXTURE_DIR } from '../test/integration/captures-support.js';
import { prefix, update, vipAttrs } from '../test/lab/raw-bgp.js';
import { ipv4, link, pcapFile, tcp, TCP_FLAGS, type Packet } from '../test/lab/synthetic-capture.js';

function bench(name: string, bytes: number, run: () => number, seconds = 2): void {
  run();
  let n = 0;
  let messages = 0;
  const start = process.hrtime.bigint();
  let elapsed = 0;
  while (elapsed < seconds) {
    messages += run();
    n++;
    elapsed = Number(process.hrtime.bigint() - start) / 1e9;
  }
  const mb = (bytes * n) / elapsed / 1e6;
  console.log(`${name.padEnd(44)} ${mb.toFixed(1).padStart(8)} MB/s ${(messages / elapsed / 1e3).toFixed(0).padStart(8)} k messages/s`);
}

// One long session: 20 000 segments of 1 400 bytes, each holding several VIP UPDATEs, every 10th segment out of order.
const msg = [...update({ attrs: vipAttrs(64600, '192.0.2.10'), nlri: [prefix('10.2.1.1/32')] })];
const perSegment = Math.floor(1400 / msg.length);
const payload = Array.from({ length: perSegment }, () => msg).flat();
const packets: Packet[] = [];
for (let i = 0; i < 20_000; i++) {
  const seq = 1 + i * payload.length;
  packets.push({ ts: 1e9 + i / 1000, data: link.ethernet(ipv4('10.255.0.1', '10.255.0.2', tcp({ sport: 40000, dport: 179, seq, flags: TCP_FLAGS.ACK, payload }))) });
}
for (let i = 0; i + 1 < packets.length; i += 10) [packets[i], packets[i + 1]] = [packets[i + 1]!, packets[i]!];
const big = pcapFile(1, packets);
bench('read: one session, 1400-byte segments', big.length, () => (readBgpCapture(big) as { ok: true; value: { messages: unknown[] } }).value.messages.length);
bench('read + decode: the same', big.length, () => {
  const r = readBgpCapture(big);
  return r.ok ? decodeCapture(r.value.messages).length : 0;
});

const corpus = captureFiles(FIXTURE_DIR).filter((f) => dirname(f) === FIXTURE_DIR).map((f) => readFileSync(f));
const corpusBytes = corpus.reduce((a, b) => a + b.length, 0);
bench(`read + decode: test/fixtures/pcaps (${corpus.length} files)`, corpusBytes, () =>
  corpus.reduce((n, c) => { const r = readBgpCapture(c); return n + (r.ok ? decodeCapture(r.value.messages).length : 0); }, 0));
