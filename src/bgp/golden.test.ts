// Golden vectors (test/fixtures/messages/*.json), annotated field by field, checked four ways:
// decode, encode, round trip, and a stream split at every offset.
import t from 'tap';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Framer, decodeMessage, encodeMessage, hex } from './index.js';
import type { BgpMessage, CodecContext } from './types.js';
import { fromJson, toJson, type Json } from '../../test/support/bgp-json.js';

const DIR = resolve('test/fixtures/messages');

interface Vector { description: string; context: CodecContext; fields: [string, string][]; message: Json }

const files = readdirSync(DIR).filter((f) => f.endsWith('.json')).sort();
t.ok(files.length >= 10, `golden vectors present in ${DIR} (${files.length})`);

const all: { name: string; bytes: Uint8Array; ctx: CodecContext }[] = [];
for (const file of files) {
  const v = JSON.parse(readFileSync(join(DIR, file), 'utf8')) as Vector;
  const bytes = new Uint8Array(Buffer.from(v.fields.map(([h]) => h).join(''), 'hex'));
  all.push({ name: file, bytes, ctx: v.context });
  t.test(file, async (t) => {
    t.equal(v.fields.every(([h, note]) => /^([0-9a-f]{2})*$/.test(h) && note.length > 0), true, 'every field is hex with a note');
    const r = decodeMessage(bytes, v.context);
    if (!r.ok) {
      t.fail(`decode: ${r.error.code}/${r.error.subcode} ${r.error.message}`);
      return;
    }
    t.same(toJson(r.value), v.message, 'decode gives the annotated message');
    const expected = fromJson<BgpMessage>(v.message);
    t.equal(hex(encodeMessage(expected, v.context)), hex(bytes), 'encode gives the annotated bytes');
    const again = decodeMessage(encodeMessage(r.value, v.context), v.context);
    t.ok(again.ok && hex(encodeMessage(again.value, v.context)) === hex(bytes), 'round trip: decode → encode → decode → encode is stable');
    if (again.ok) t.same(toJson(again.value), v.message, 'round trip keeps the message');
    let splitsOk = 0;
    for (let k = 0; k <= bytes.length; k++) {
      const f = new Framer(v.context);
      const a = f.push(bytes.slice(0, k));
      const b = f.push(bytes.slice(k));
      const got = [...a.messages, ...b.messages];
      if (!a.error && !b.error && got.length === 1 && hex(got[0]!) === hex(bytes) && f.buffered === 0) splitsOk++;
    }
    t.equal(splitsOk, bytes.length + 1, 'split at every offset, the framer yields the message once');
  });
}

t.test('all vectors in one stream, split at every offset and fed byte by byte', async (t) => {
  const ctx: CodecContext = { fourOctetAs: true, extendedMessage: false };
  const stream = Buffer.concat(all.map((x) => x.bytes));
  const want = all.map((x) => hex(x.bytes));
  for (let k = 0; k <= stream.length; k++) {
    const f = new Framer(ctx);
    const got = [...f.push(stream.subarray(0, k)).messages, ...f.push(stream.subarray(k)).messages].map(hex);
    if (got.join() !== want.join()) {
      t.same(got, want, `split at ${k}`);
      return;
    }
  }
  const f = new Framer(ctx);
  const got: string[] = [];
  for (const byte of stream) got.push(...f.push(new Uint8Array([byte])).messages.map(hex));
  t.same(got, want, 'byte by byte');
  t.pass(`${stream.length + 1} splits frame the same ${want.length} messages`);
});
