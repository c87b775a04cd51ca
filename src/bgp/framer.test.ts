import t from 'tap';
import { Framer, encodeMessage, packUpdates } from './index.js';

const C = { fourOctetAs: true, extendedMessage: false };
const keepalive = encodeMessage({ type: 'KEEPALIVE' }, C);

t.test('whole messages out of one chunk, leftovers kept', async (t) => {
  const f = new Framer(C);
  const two = Buffer.concat([keepalive, keepalive, keepalive.subarray(0, 7)]);
  const out = f.push(two);
  t.equal(out.messages.length, 2);
  t.equal(f.buffered, 7);
  t.equal(f.push(keepalive.subarray(7)).messages.length, 1, 'the rest completes the third');
  t.equal(f.buffered, 0);
});

t.test('a header error stops the framer for good', async (t) => {
  const f = new Framer(C);
  const bad = Buffer.from(keepalive);
  bad[3] = 0;
  const out = f.push(Buffer.concat([keepalive, bad]));
  t.equal(out.messages.length, 1, 'the good message before it is still delivered');
  t.match(out.error, { code: 1, subcode: 1, action: 'session-reset' });
  t.match(f.push(keepalive).error, { code: 1, subcode: 1 }, 'later bytes are refused');
});

t.test('the length limit follows extended message (RFC 8654)', async (t) => {
  const big = packUpdates({ withdrawn: [], nlri: Array.from({ length: 2000 }, (_, i) => `10.0.${i >> 8}.${i & 255}/32`),
    attributes: { origin: 'IGP', asPath: [], nextHop: '10.0.0.1' } }, { ...C, extendedMessage: true })[0]!;
  t.ok(big.length > 4096);
  const small = new Framer(C).push(big);
  t.match(small.error, { code: 1, subcode: 2 }, 'refused before extended message is negotiated');
  t.same([...small.error!.data], [big[16], big[17]], 'data is the length field');
  const f = new Framer(C);
  f.setContext({ ...C, extendedMessage: true });
  t.equal(f.push(big).messages.length, 1, 'accepted after');
});

t.test('bad type and short length', async (t) => {
  const typed = Buffer.from(keepalive);
  typed[18] = 9;
  t.match(new Framer(C).push(typed).error, { code: 1, subcode: 3, data: new Uint8Array([9]) });
  const short = Buffer.from(keepalive);
  short[17] = 18;
  t.match(new Framer(C).push(short).error, { code: 1, subcode: 2, data: new Uint8Array([0, 18]) });
});
