import t from 'tap';
import fc from 'fast-check';
import { parseDnsAnswer, type DnsParse } from './dns-message.js';

const hex = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s.replace(/\s+/g, ''), 'hex'));
const errorOf = (p: DnsParse): string => (p.ok ? 'ok' : p.error);

// www.example.test A → 192.0.2.10, as dnsmasq answers it (RFC 1035 §4.1), field by field.
const HEAD = 'beef 8580 0001 0001 0000 0000'; // id, QR AA RD RA NOERROR, QD 1, AN 1, NS 0, AR 0
const QNAME = '03777777 076578616d706c65 0474657374 00'; // www.example.test. at byte 12
const QUESTION = `${QNAME} 0001 0001`; // type A, class IN
const ANSWER_A = 'c00c 0001 0001 0000012c 0004 c000020a'; // pointer to 12, A, IN, TTL 300, 4 bytes
const GOLDEN_A = hex(HEAD + QUESTION + ANSWER_A);

t.test('golden A answer: question, compressed owner name, address', async (t) => {
  const p = parseDnsAnswer(GOLDEN_A);
  t.ok(p.ok, errorOf(p));
  if (!p.ok) return;
  t.equal(p.value.id, 0xbeef);
  t.equal(p.value.rcodeName, 'NOERROR');
  t.same(p.value.questions, [{ name: 'www.example.test.', type: 1, class: 1 }]);
  t.equal(p.value.answers.length, 1);
  t.match(p.value.answers[0], { name: 'www.example.test.', type: 1, class: 1, ttl: 300, value: '192.0.2.10' });
});

t.test('golden AAAA answer behind a CNAME, with an OPT record in additional', async (t) => {
  const bytes = hex('0001 8180 0001 0002 0000 0001' + QNAME + '001c 0001' +
    // www CNAME → web.example.test (label "web" then a pointer to "example.test" at byte 16)
    'c00c 0005 0001 0000003c 0006 03776562 c010' +
    // web.example.test (pointer to the CNAME data at byte 46) AAAA 2001:db8::10
    'c02e 001c 0001 0000003c 0010 20010db8000000000000000000000010' +
    '00 0029 1000 00000000 0000'); // OPT: root name, UDP size 4096, no options (RFC 6891 §6.1.2)
  const p = parseDnsAnswer(bytes);
  t.ok(p.ok, errorOf(p));
  if (!p.ok) return;
  t.match(p.value.answers[0], { type: 5, value: 'web.example.test.' });
  t.match(p.value.answers[1], { name: 'web.example.test.', type: 28, value: '2001:db8::10' });
  t.match(p.value.additional[0], { name: '.', type: 41, class: 4096 });
});

t.test('NXDOMAIN with no answers parses', async (t) => {
  const p = parseDnsAnswer(hex('0002 8183 0001 0000 0000 0000' + QUESTION));
  t.ok(p.ok && p.value.rcodeName === 'NXDOMAIN' && p.value.answers.length === 0, errorOf(p));
});

t.test('malformed answers are errors that say what is wrong', async (t) => {
  const cases: [string, string, RegExp][] = [
    ['NOERROR, ANCOUNT 65535, junk body', 'beef 8180 0001 ffff 0000 0000' + QUESTION + 'deadbeef0102030405', /answer record 1/],
    ['ANCOUNT above what is present', 'beef 8180 0001 0002 0000 0000' + QUESTION + ANSWER_A, /header says 2 answer record\(s\), the message ends after 1/],
    ['bytes after the last record', HEAD + QUESTION + ANSWER_A + '00', /1 byte\(s\) after the last record/],
    ['pointer to itself', HEAD + QUESTION + 'c02a 0001 0001 0000012c 0004 c000020a', /does not point backwards \(loop\)/],
    ['forward pointer', HEAD + QUESTION + 'c030 0001 0001 0000012c 0004 c000020a', /does not point backwards/],
    ['two pointers in a cycle', HEAD + QUESTION + '01 61 c02a 0001 0001 0000012c 0004 c000020a', /does not point backwards/],
    ['pointer into the header', HEAD + QUESTION + 'c002 0001 0001 0000012c 0004 c000020a', /pointer into the header/],
    ['reserved label type', HEAD + QUESTION + '41 0001 0001 0000012c 0004 c000020a', /unknown label type 0x40/],
    ['RDLENGTH past the end', HEAD + QUESTION + 'c00c 0001 0001 0000012c 00ff c000020a', /RDLENGTH 255 runs past the end/],
    ['A with 5 bytes of data', HEAD + QUESTION + 'c00c 0001 0001 0000012c 0005 c000020a00', /RDLENGTH 5, expected 4/],
    ['record cut inside the TTL', HEAD + QUESTION + 'c00c 0001 0001 0000', /TTL at byte \d+ runs past the end/],
    ['CNAME data shorter than RDLENGTH', 'beef 8180 0001 0001 0000 0000' + QUESTION + 'c00c 0005 0001 0000003c 0004 c00c 0000', /does not fill RDLENGTH 4/],
    ['a query, not a response', '0001 0100 0001 0000 0000 0000' + QUESTION, /QR bit not set/],
    ['shorter than a header', 'beef 8180', /shorter than the 12-byte header/],
  ];
  for (const [what, bytes, want] of cases) {
    const p = parseDnsAnswer(hex(bytes));
    t.notOk(p.ok, what);
    t.match(errorOf(p), want, what);
  }
});

t.test('names: 63-octet labels, at most 255 octets even through pointers', async (t) => {
  const label = (n: number, c: string): string => n.toString(16).padStart(2, '0') + Buffer.from(c.repeat(n)).toString('hex');
  const ok = hex('0001 8180 0001 0000 0000 0000' + label(63, 'a') + label(63, 'b') + label(63, 'c') + label(61, 'd') + '00 0001 0001');
  t.ok(parseDnsAnswer(ok).ok, '255 octets is the limit, not over it');
  const long = hex('0001 8180 0001 0000 0000 0000' + label(63, 'a') + label(63, 'b') + label(63, 'c') + label(62, 'd') + '00 0001 0001');
  t.match(errorOf(parseDnsAnswer(long)), /longer than 255 octets/);
  // 128-byte name in the question, reused twice by pointers from an answer name: 3 × 64 > 255.
  const q = label(63, 'a') + label(63, 'b') + '00';
  const viaPointers = hex('0001 8180 0001 0001 0000 0000' + q + '0001 0001' +
    label(63, 'x') + label(63, 'y') + 'c00c' + '0001 0001 00000000 0004 7f000001');
  t.match(errorOf(parseDnsAnswer(viaPointers)), /answer record 1: name at byte \d+ is longer than 255 octets/);
});

t.test('a truncated (TC) answer may stop at a record boundary; without TC it may not', async (t) => {
  const tc = parseDnsAnswer(hex('beef 8380 0001 0003 0000 0000' + QUESTION + ANSWER_A));
  t.ok(tc.ok && tc.value.truncated && tc.value.answers.length === 1, errorOf(tc));
  t.notOk(parseDnsAnswer(hex('beef 8180 0001 0003 0000 0000' + QUESTION + ANSWER_A)).ok);
});

t.test('never throws: random bytes, random headers on random bodies, mutated golden answers', async (t) => {
  const judge = (b: Uint8Array): boolean => {
    const p = parseDnsAnswer(b);
    return typeof p.ok === 'boolean' && (p.ok || p.error.length > 0);
  };
  fc.assert(fc.property(fc.uint8Array({ maxLength: 600 }), judge), { seed: 11, numRuns: 3000 });
  const withHeader = fc.tuple(fc.uint8Array({ minLength: 12, maxLength: 12 }), fc.uint8Array({ maxLength: 300 }))
    .map(([h, body]) => { const b = new Uint8Array(12 + body.length); b.set(h); b[2] = h[2]! | 0x80; b.set(body, 12); return b; });
  fc.assert(fc.property(withHeader, judge), { seed: 12, numRuns: 3000 });
  const mutated = fc.array(fc.tuple(fc.nat(GOLDEN_A.length - 1), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 })
    .map((edits) => { const b = Uint8Array.from(GOLDEN_A); for (const [i, v] of edits) b[i] = v; return b; });
  fc.assert(fc.property(mutated, judge), { seed: 13, numRuns: 3000 });
  // Pointer soup: every byte after the header a pointer byte, so every name is all pointers.
  const pointers = fc.uint8Array({ minLength: 20, maxLength: 200 }).map((b) => {
    const out = Uint8Array.from(b); out[2] = 0x81; out[5] = 1; out[7] = 1;
    for (let i = 12; i < out.length; i += 2) out[i] = 0xc0 | (out[i]! & 0x01);
    return out;
  });
  fc.assert(fc.property(pointers, judge), { seed: 14, numRuns: 3000 });
  t.pass('no input threw');
});
