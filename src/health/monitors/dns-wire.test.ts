import t from 'tap';
import { decodeResponseHeader, encodeQuery, TYPE_AAAA } from './dns-wire.js';

t.test('encodeQuery lays out header and question (RFC 1035 §4.1)', async (t) => {
  const q = encodeQuery(0xbeef, 'www.example.test.', TYPE_AAAA);
  t.equal(q.toString('hex'),
    'beef' + '0100' + '0001' + '0000' + '0000' + '0000' +
    '03777777' + '076578616d706c65' + '0474657374' + '00' + '001c' + '0001');
  t.throws(() => encodeQuery(1, 'a..b', 1), /label '' must be 1-63/);
  t.throws(() => encodeQuery(1, 'x'.repeat(64), 1), /1-63 characters/);
  t.throws(() => encodeQuery(1, Array.from({ length: 5 }, () => 'y'.repeat(60)).join('.'), 1), /longer than 255/);
});

t.test('decodeResponseHeader reads id, rcode, answers; rejects non-responses', async (t) => {
  const resp = Buffer.from('beef' + '8183' + '0001' + '0000' + '0000' + '0000', 'hex');
  t.same(decodeResponseHeader(resp), { id: 0xbeef, rcode: 3, rcodeName: 'NXDOMAIN', answers: 0, truncated: false });
  const servfail = Buffer.from('0001' + '8382' + '0001' + '0002' + '0000' + '0000', 'hex');
  t.same(decodeResponseHeader(servfail), { id: 1, rcode: 2, rcodeName: 'SERVFAIL', answers: 2, truncated: true });
  t.equal(decodeResponseHeader(Buffer.from('0001' + '0100' + '0001000000000000', 'hex')), null, 'a query is not a response');
  t.equal(decodeResponseHeader(Buffer.from('0001', 'hex')), null);
  t.equal(decodeResponseHeader(Buffer.from('0001' + '800b' + '0000000000000000', 'hex'))?.rcodeName, 'RCODE 11');
});
