// No input crashes the reader or `vipd decode`: mutated real captures and arbitrary bytes always give a result
// (messages with typed errors, or a CaptureError), never an exception.
import fc from 'fast-check';
import t from 'tap';
import { readFileSync } from 'node:fs';
import { decodeCapture } from '../../src/cli/decode/decode-capture.js';
import { recordToJson } from '../../src/cli/decode/to-json.js';
import { jsonToText } from '../../src/cli/decode/to-text.js';
import { readBgpCapture } from '../../src/pcap/index.js';
import { captureFiles, FIXTURE_DIR } from './captures-support.js';

function decodeAll(bytes: Uint8Array): number {
  const cap = readBgpCapture(bytes);
  if (!cap.ok) {
    if (!(cap.error.message && Number.isInteger(cap.error.offset))) throw new Error('CaptureError without a reason');
    return 0;
  }
  const recs = decodeCapture(cap.value.messages);
  recs.forEach((r, i) => jsonToText(recordToJson(r), i + 1));
  return recs.length;
}

const files = captureFiles(FIXTURE_DIR);

t.test('mutated captures: flipped bytes, truncations, splices', async (t) => {
  t.ok(files.length > 0, 'fixtures present');
  const seeds = files.map((f) => readFileSync(f));
  fc.assert(fc.property(
    fc.integer({ min: 0, max: seeds.length - 1 }),
    fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 20 }),
    fc.option(fc.nat(), { nil: undefined }),
    (which, flips, cut) => {
      const b = Buffer.from(seeds[which]!);
      for (const [at, v] of flips) b[at % b.length] = v;
      decodeAll(cut === undefined ? b : b.subarray(0, cut % b.length));
    },
  ), { numRuns: 400 });
  t.pass('400 mutated captures decoded without an exception');
});

t.test('arbitrary bytes, with and without a valid pcap header', async (t) => {
  const header = readFileSync(files[0]!).subarray(0, 24);
  fc.assert(fc.property(fc.uint8Array({ maxLength: 600 }), fc.boolean(), (tail, withHeader) => {
    decodeAll(withHeader ? Buffer.concat([header, tail]) : tail);
  }), { numRuns: 400 });
  t.pass('800 random inputs decoded without an exception');
});
