import t from 'tap';
import { buildNotification, buildShutdown, decodeMessage, decodeShutdownCommunication, encodeMessage, encodeShutdownCommunication, notificationFor } from './index.js';
import type { NotificationMessage } from './types.js';

const C = { fourOctetAs: true, extendedMessage: false };

t.test('shutdown communication round trip (RFC 9003)', async (t) => {
  const n = buildShutdown('depooling lvs1001 for kernel upgrade — back in 10 min');
  const r = decodeMessage(encodeMessage(n, C), C);
  t.ok(r.ok && r.value.type === 'NOTIFICATION');
  if (r.ok && r.value.type === 'NOTIFICATION') {
    t.equal(r.value.code, 6);
    t.equal(r.value.subcode, 2);
    t.same(decodeShutdownCommunication(r.value), { ok: true, value: 'depooling lvs1001 for kernel upgrade — back in 10 min' });
  }
  const reset = buildShutdown('reset', 4);
  t.same(decodeShutdownCommunication(reset), { ok: true, value: 'reset' }, 'Administrative Reset carries one too');
});

t.test('long text is cut at a UTF-8 boundary within 255 octets', async (t) => {
  const text = 'é'.repeat(200);
  const data = encodeShutdownCommunication(text);
  t.equal(data[0], 254, '127 two-octet characters fit');
  const back = decodeShutdownCommunication(buildNotification(6, 2, data));
  t.ok(back?.ok && back.value === 'é'.repeat(127));
});

t.test('malformed shutdown communications are reported, not thrown', async (t) => {
  const n = (data: number[]): NotificationMessage => buildNotification(6, 2, new Uint8Array(data));
  t.match(decodeShutdownCommunication(n([10, 65, 66])), { ok: false, error: /length 10 exceeds the 2 octets/ });
  t.match(decodeShutdownCommunication(n([2, 0xc3, 0x28])), { ok: false, error: /not valid UTF-8/ });
  t.same(decodeShutdownCommunication(n([0])), { ok: true, value: '' }, 'zero length is an empty message');
  t.equal(decodeShutdownCommunication(n([])), null, 'no data: no communication');
  t.equal(decodeShutdownCommunication(buildNotification(6, 3, new Uint8Array([1, 65]))), null, 'other subcodes carry none');
});

t.test('a decode error becomes its NOTIFICATION', async (t) => {
  const bad = new Uint8Array(19).fill(0xff);
  bad[16] = 0x10; bad[17] = 0x01; bad[18] = 4;
  const r = decodeMessage(bad, C);
  t.notOk(r.ok);
  if (!r.ok) {
    const n = notificationFor(r.error);
    t.same([n.code, n.subcode, [...n.data]], [1, 2, [0x10, 0x01]], 'Bad Message Length with the length field as data');
    t.same([...encodeMessage(n, C).subarray(19)], [1, 2, 0x10, 0x01]);
  }
});
