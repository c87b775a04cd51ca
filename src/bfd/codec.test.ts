import t from 'tap';
import fc from 'fast-check';
import { BFD_STATES, decodeControl, encodeControl, flagsOctet, type BfdControl } from './codec.js';
import { requireBfdNative } from '../../test/support/bfd-native.js';

// RFC 5880 §4.1, field by field: v1 diag 0, Up with Poll, mult 3, len 24, discs, 100 ms / 100 ms / 0
const GOLDEN = Uint8Array.from([
  0x20, // version 1 | diag 0
  0xe0, // state Up (3) << 6 | P (0x20)
  0x03, 0x18, // detect mult 3, length 24
  0x11, 0x22, 0x33, 0x44, // my discriminator
  0x00, 0x00, 0x00, 0x07, // your discriminator
  0x00, 0x01, 0x86, 0xa0, // desired min TX 100000 us
  0x00, 0x01, 0x86, 0xa0, // required min RX 100000 us
  0x00, 0x00, 0x00, 0x00, // required min echo RX 0
]);

const golden: BfdControl = {
  version: 1, diag: 0, state: 'Up', poll: true, final: false, cpi: false, auth: false, demand: false, multipoint: false,
  detectMult: 3, length: 24, myDisc: 0x11223344, yourDisc: 7, desiredMinTx: 100000, requiredMinRx: 100000, requiredMinEchoRx: 0,
};

t.test('golden packet: decode, encode, round trip', async (t) => {
  const d = decodeControl(GOLDEN);
  t.same(d, { ok: true, value: golden });
  t.same([...encodeControl(golden)], [...GOLDEN]);
});

t.test('RFC 5880 §6.8.6 reception checks', async (t) => {
  const bad = (patch: (b: Uint8Array) => void): string => {
    const b = GOLDEN.slice();
    patch(b);
    const r = decodeControl(b);
    return r.ok ? 'accepted' : r.error;
  };
  t.match(bad((b) => { b[0] = 0x40; }), /version 2/);
  t.match(bad((b) => { b[3] = 30; }), /length field 30/);
  t.match(bad((b) => { b[3] = 20; }), /length field 20/);
  t.match(bad((b) => { b[2] = 0; }), /Detect Mult is zero/);
  t.match(bad((b) => { b[1] = 0xc1; }), /Multipoint/);
  t.match(bad((b) => { b.fill(0, 4, 8); }), /My Discriminator is zero/);
  t.match(bad((b) => { b[1] = 0xc4; b[3] = 24; }), /length field 24/); // A bit needs at least 26
  t.match(decodeControl(GOLDEN.slice(0, 23)), { ok: false, error: /23 octets/ });
});

const control = fc.record({
  version: fc.constant(1), diag: fc.integer({ min: 0, max: 31 }), state: fc.constantFrom(...BFD_STATES),
  poll: fc.boolean(), final: fc.boolean(), cpi: fc.boolean(), auth: fc.constant(false), demand: fc.boolean(), multipoint: fc.constant(false),
  detectMult: fc.integer({ min: 1, max: 255 }), length: fc.constant(24),
  myDisc: fc.integer({ min: 1, max: 0xffffffff }), yourDisc: fc.nat({ max: 0xffffffff }),
  desiredMinTx: fc.nat({ max: 0xffffffff }), requiredMinRx: fc.nat({ max: 0xffffffff }), requiredMinEchoRx: fc.nat({ max: 0xffffffff }),
});

t.test('the C codec of the BFD thread agrees with this one, both ways', async (t) => {
  const native = requireBfdNative(t);
  if (!native) return;
  fc.assert(fc.property(control, (c) => {
    const fields = {
      version: c.version, diag: c.diag, state: BFD_STATES.indexOf(c.state), flags: flagsOctet(c), mult: c.detectMult, length: 24,
      myDisc: c.myDisc, yourDisc: c.yourDisc, minTx: c.desiredMinTx, minRx: c.requiredMinRx, minEchoRx: c.requiredMinEchoRx,
    };
    const bytes = native.bfdEncode(fields);
    t.same([...bytes], [...encodeControl(c)]);
    t.same(native.bfdDecode(bytes), fields);
    t.same(decodeControl(bytes), { ok: true, value: c });
  }), { numRuns: 300, seed: 5880 });
  // the C decoder rejects what this one rejects
  for (const patch of [[0, 0x40], [3, 30], [2, 0], [1, 0xc1], [1, 0xc4]] as const) {
    const b = Buffer.from(GOLDEN);
    b[patch[0]] = patch[1];
    t.ok(typeof native.bfdDecode(b) === 'number' && !decodeControl(b).ok, `byte ${patch[0]} = ${patch[1]} rejected by both`);
  }
});
