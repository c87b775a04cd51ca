// Property tests (fast-check): arbitrary bytes never throw; arbitrary valid messages round-trip;
// a stream of messages frames the same whatever the chunking.
import t from 'tap';
import fc from 'fast-check';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Framer, decodeMessage, encodeMessage, hex } from './index.js';
import type { BgpMessage, CodecContext } from './types.js';
import { toJson, type Json } from '../../test/support/bgp-json.js';
import { asPath, ipv4, message, prefix4 } from '../../test/support/bgp-arbitraries.js';

const C4: CodecContext = { fourOctetAs: true, extendedMessage: false };
const C2: CodecContext = { fourOctetAs: false, extendedMessage: false };
const anyContext: fc.Arbitrary<CodecContext> = fc.record({
  fourOctetAs: fc.boolean(),
  extendedMessage: fc.boolean(),
  addPath: fc.nat(2),
}).map(({ addPath, ...c }) => ({ ...c, addPathReceive: [{ afi: 1, safi: 1 }, { afi: 2, safi: 1 }].slice(0, addPath) }));

/** The message as JSON, without the decoder's record of the wire layout. */
function model(m: BgpMessage): string {
  const { wire, ...rest } = m as BgpMessage & { wire?: unknown };
  void wire;
  return stable(toJson(rest));
}

function stable(v: Json): string {
  if (Array.isArray(v)) return `[${v.map(stable).join(',')}]`;
  if (v !== null && typeof v === 'object') return `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${stable(v[k]!)}`).join(',')}}`;
  return JSON.stringify(v);
}

function withHeader(type: number, body: Uint8Array): Uint8Array {
  const b = new Uint8Array(19 + body.length);
  b.fill(0xff, 0, 16);
  b[16] = b.length >> 8;
  b[17] = b.length & 0xff;
  b[18] = type;
  b.set(body, 19);
  return b;
}

t.test('arbitrary bytes never throw', async (t) => {
  fc.assert(fc.property(fc.uint8Array({ maxLength: 120 }), anyContext, (bytes, ctx) => {
    const r = decodeMessage(bytes, ctx);
    return typeof r.ok === 'boolean';
  }), { numRuns: 3000 });
  fc.assert(fc.property(fc.integer({ min: 0, max: 7 }), fc.uint8Array({ maxLength: 300 }), anyContext, (type, body, ctx) => {
    const r = decodeMessage(withHeader(type, body), ctx);
    if (!r.ok) return r.error.code >= 1 && r.error.code <= 7 && r.error.message.length > 0;
    return true;
  }), { numRuns: 5000 });
  t.pass('no throw on random bytes, with or without a valid header');
});

t.test('mutated valid messages never throw, and what decodes cleanly re-encodes', async (t) => {
  fc.assert(fc.property(message, fc.array(fc.tuple(fc.nat(), fc.nat(255)), { minLength: 1, maxLength: 4 }), (m, flips) => {
    const bytes = encodeMessage(m, C4);
    for (const [at, v] of flips) bytes[19 + (at % Math.max(1, bytes.length - 19))] = v;
    if (bytes.length < 19) return true;
    const r = decodeMessage(bytes, C4);
    if (!r.ok || (r.value.type === 'UPDATE' && r.value.errors)) return true;
    return decodeMessage(encodeMessage(r.value, C4), C4).ok;
  }), { numRuns: 3000 });
  t.pass('mutations give typed errors or messages that re-encode');
});

t.test('arbitrary valid messages round-trip', async (t) => {
  fc.assert(fc.property(message, (m) => {
    const bytes = encodeMessage(m, C4);
    const r = decodeMessage(bytes, C4);
    if (!r.ok) throw new Error(`${m.type} did not decode: ${r.error.message}`);
    if (r.value.type === 'UPDATE' && r.value.errors) throw new Error(`errors: ${r.value.errors.map((e) => e.message).join('; ')}`);
    if (model(r.value) !== model(m)) throw new Error(`round trip differs:\n${model(m)}\n${model(r.value)}`);
    return hex(encodeMessage(r.value, C4)) === hex(bytes);
  }), { numRuns: 1500 });
  t.pass('decode(encode(m)) equals m and re-encodes to the same bytes');
});

t.test('a 2-octet session carries 4-octet ASes through AS4_PATH and gets them back', async (t) => {
  fc.assert(fc.property(asPath(), ipv4, fc.array(prefix4, { minLength: 1, maxLength: 5 }), (path, nh, nlri) => {
    const m = { type: 'UPDATE' as const, withdrawn: [], nlri, attributes: { origin: 'IGP' as const, asPath: path, nextHop: nh } };
    const r = decodeMessage(encodeMessage(m, C2), C2);
    if (!r.ok || r.value.type !== 'UPDATE') return false;
    return JSON.stringify(r.value.attributes.asPath) === JSON.stringify(path);
  }), { numRuns: 1000 });
  t.pass('RFC 6793 AS_TRANS + AS4_PATH reconstruction matches the original path');
});

t.test('a stream of messages frames the same whatever the chunking', async (t) => {
  fc.assert(fc.property(fc.array(message, { minLength: 1, maxLength: 6 }), fc.array(fc.nat(), { maxLength: 12 }), (msgs, cuts) => {
    const parts = msgs.map((m) => encodeMessage(m, C4));
    const stream = Buffer.concat(parts);
    const points = [...new Set(cuts.map((c) => c % (stream.length + 1)))].sort((a, b) => a - b);
    const f = new Framer(C4);
    const got: string[] = [];
    let prev = 0;
    for (const p of [...points, stream.length]) {
      const out = f.push(stream.subarray(prev, p));
      if (out.error) return false;
      got.push(...out.messages.map(hex));
      prev = p;
    }
    return got.join() === parts.map(hex).join() && f.buffered === 0;
  }), { numRuns: 1000 });
  fc.assert(fc.property(fc.array(message, { minLength: 2, maxLength: 3 }), (msgs) => {
    const parts = msgs.map((m) => encodeMessage(m, C4));
    const stream = Buffer.concat(parts);
    for (let k = 0; k <= stream.length; k++) {
      const f = new Framer(C4);
      const got = [...f.push(stream.subarray(0, k)).messages, ...f.push(stream.subarray(k)).messages].map(hex);
      if (got.join() !== parts.map(hex).join()) return false;
    }
    return true;
  }), { numRuns: 100 });
  t.pass('random chunkings and every single split give the same messages');
});

t.test('mutations of the golden vectors and crashers never throw', async (t) => {
  const seeds: Uint8Array[] = [];
  for (const dir of ['messages', 'crashers']) {
    const path = resolve('test/fixtures', dir);
    for (const f of readdirSync(path).filter((x) => x.endsWith('.json'))) {
      const v = JSON.parse(readFileSync(join(path, f), 'utf8')) as { fields: [string, string][] };
      seeds.push(new Uint8Array(Buffer.from(v.fields.map(([h]) => h).join(''), 'hex')));
    }
  }
  t.ok(seeds.length > 40, `${seeds.length} seeds`);
  fc.assert(fc.property(fc.nat(seeds.length - 1), fc.array(fc.tuple(fc.nat(), fc.nat(255)), { minLength: 1, maxLength: 6 }), fc.nat(), anyContext,
    (i, flips, cut, ctx) => {
      const b = seeds[i]!.slice();
      for (const [at, v] of flips) b[at % b.length] = v;
      const r = decodeMessage(b.subarray(0, b.length - (cut % 4)), ctx);
      const framed = new Framer(ctx).push(b);
      return typeof r.ok === 'boolean' && Array.isArray(framed.messages);
    }), { numRuns: 5000 });
  t.pass('no throw');
});
