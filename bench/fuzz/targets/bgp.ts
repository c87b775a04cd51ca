// The BGP decoder: decodeMessage under two codec contexts, and the framer fed the same bytes
// in three chunks, each framed message decoded.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Framer, decodeMessage, type CodecContext } from '../../../src/bgp/index.js';
import { readBgpCapture } from '../../../src/pcap/index.js';
import { filesIn, hexTokens, repoRoot, savedCrashers, type FuzzTarget } from '../target.js';

const CONTEXTS: CodecContext[] = [
  { fourOctetAs: true, extendedMessage: false },
  { fourOctetAs: false, extendedMessage: true, addPathReceive: [{ afi: 1, safi: 1 }, { afi: 2, safi: 1 }] },
];

function fixtureMessages(): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (const json of filesIn(['test/fixtures/messages', 'test/fixtures/crashers'], (n) => n.endsWith('.json'))) {
    const f = JSON.parse(Buffer.from(json).toString('utf8')) as { fields?: [string, string][] };
    if (f.fields) out.push(new Uint8Array(Buffer.from(f.fields.map(([h]) => h).join(''), 'hex')));
  }
  return out;
}

function captureMessages(): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (const name of ['frr-malformed.pcap', 'bird-malformed.pcap', 'gobgp-malformed.pcap', 'frr-announce-withdraw.pcap', 'gobgp-route-refresh.pcapng']) {
    const r = readBgpCapture(new Uint8Array(readFileSync(join(repoRoot(), 'test/fixtures/pcaps', name))));
    if (r.ok) for (const m of r.value.messages) out.push(m.bytes);
  }
  return out;
}

export const bgp: FuzzTarget = {
  name: 'bgp',
  description: 'decodeMessage (2 codec contexts) and the Framer (3 chunks), src/bgp',
  corpus: () => [...fixtureMessages(), ...captureMessages(), ...savedCrashers('bgp')],
  dictionary: hexTokens(['ffffffffffffffffffffffffffffffff', '40010100', '40020602010000fc58', '4003040a000001', '800e', '900e', '800f', '0001', '0002', '01', '41', '0201', '2001', 'c0', 'e0', '18']),
  maxLength: 4200,
  fixup(input, rng) {
    // Most edits break the header's length; put it right half the time so the body is reached.
    if (input.length >= 19 && rng.oneIn(2)) {
      const b = input.slice();
      b[16] = (b.length >> 8) & 0xff;
      b[17] = b.length & 0xff;
      return b;
    }
    return input;
  },
  run(input) {
    const out: unknown[] = [];
    for (const ctx of CONTEXTS) out.push(decodeMessage(input, ctx));
    const framer = new Framer(CONTEXTS[0]!);
    const a = input.length / 3 | 0;
    for (const chunk of [input.subarray(0, a), input.subarray(a, 2 * a), input.subarray(2 * a)]) {
      const r = framer.push(chunk);
      for (const m of r.messages) out.push(decodeMessage(m, CONTEXTS[0]!));
      if (r.error) out.push(r.error);
    }
    return out;
  },
};
