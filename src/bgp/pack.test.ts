import t from 'tap';
import { decodeMessage, encodeMessage, isEndOfRib, endOfRib, packUpdates, packUpdateMessages } from './index.js';
import type { CodecContext, PathAttributes, UpdateMessage } from './types.js';

const C4: CodecContext = { fourOctetAs: true, extendedMessage: false };
const attrs: PathAttributes = { origin: 'IGP', asPath: [{ type: 'AS_SEQUENCE', asns: [64600] }], nextHop: '10.0.0.1', med: 10 };

function hosts(n: number): string[] {
  return Array.from({ length: n }, (_, i) => `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}/32`);
}

function decodeAll(msgs: Uint8Array[], ctx: CodecContext): UpdateMessage[] {
  return msgs.map((b) => {
    const r = decodeMessage(b, ctx);
    if (!r.ok || r.value.type !== 'UPDATE') throw new Error(`packed message does not decode: ${r.ok ? r.value.type : r.error.message}`);
    return r.value;
  });
}

t.test('IPv4 announcements fill each UPDATE up to 4096 octets', async (t) => {
  const nlri = hosts(3000);
  const msgs = packUpdates({ withdrawn: [], attributes: attrs, nlri }, C4);
  t.ok(msgs.every((m) => m.length <= 4096), 'no message exceeds 4096 octets');
  t.ok(msgs.slice(0, -1).every((m) => m.length > 4096 - 5), 'every message but the last has no room for another /32 (5 octets)');
  const decoded = decodeAll(msgs, C4);
  t.same(decoded.flatMap((u) => u.nlri), nlri, 'every prefix is carried once, in order');
  t.ok(decoded.every((u) => JSON.stringify(u.attributes) === JSON.stringify(attrs) && !u.errors), 'each UPDATE carries the shared attributes');
  const attrBytes = encodeMessage({ type: 'UPDATE', withdrawn: [], attributes: attrs, nlri: [] }, C4).length;
  t.equal(decoded[0]!.nlri.length, Math.floor((4096 - attrBytes) / 5), 'as many /32s as fit');
});

t.test('withdrawals come first, in their own UPDATEs without attributes', async (t) => {
  const withdrawn = hosts(1000);
  const msgs = packUpdateMessages({ withdrawn, attributes: attrs, nlri: ['10.9.9.9/32'] }, C4);
  const wCount = Math.floor((4096 - 23) / 5);
  t.equal(msgs[0]!.withdrawn.length, wCount, `${wCount} /32 withdrawals fit in one UPDATE`);
  t.same(msgs.flatMap((m) => m.withdrawn), withdrawn, 'all withdrawals carried');
  t.same(msgs.at(-1)!.nlri, ['10.9.9.9/32'], 'the announcement follows');
  t.ok(msgs.slice(0, -1).every((m) => Object.keys(m.attributes).length === 0), 'withdrawal UPDATEs carry no attributes');
});

t.test('extended message raises the limit to 65535', async (t) => {
  const ctx: CodecContext = { fourOctetAs: true, extendedMessage: true };
  const msgs = packUpdates({ withdrawn: [], attributes: attrs, nlri: hosts(20000) }, ctx);
  t.ok(msgs[0]!.length > 60000 && msgs.every((m) => m.length <= 65535), `first message is ${msgs[0]!.length} octets`);
  t.same(decodeAll(msgs, ctx).flatMap((u) => u.nlri).length, 20000, 'all prefixes decode');
});

t.test('IPv6 goes in MP_REACH_NLRI / MP_UNREACH_NLRI, filling each message', async (t) => {
  const v6 = Array.from({ length: 600 }, (_, i) => `2001:db8::${(i + 1).toString(16)}/128`);
  const a6: PathAttributes = { origin: 'IGP', asPath: [{ type: 'AS_SEQUENCE', asns: [64600] }], med: 5, mpReach: { afi: 2, safi: 1, nextHops: ['2001:db8::1'], nlri: [] } };
  const ann = packUpdates({ withdrawn: [], attributes: a6, nlri: v6 }, C4);
  const decoded = decodeAll(ann, C4);
  t.ok(ann.every((m) => m.length <= 4096) && ann.length > 1, `${ann.length} messages within 4096 octets`);
  t.ok(ann.slice(0, -1).every((m) => m.length > 4096 - 17), 'each full message has no room for another /128');
  t.same(decoded.flatMap((u) => u.attributes.mpReach?.nlri ?? []), v6, 'every IPv6 prefix in MP_REACH_NLRI, in order');
  t.ok(decoded.every((u) => u.nlri.length === 0 && u.attributes.nextHop === undefined && u.attributes.mpReach?.nextHops[0] === '2001:db8::1'), 'no IPv4 NLRI or NEXT_HOP');
  const wd = decodeAll(packUpdates({ withdrawn: v6, attributes: {}, nlri: [] }, C4), C4);
  t.same(wd.flatMap((u) => u.attributes.mpUnreach?.withdrawn ?? []), v6, 'withdrawals in MP_UNREACH_NLRI');
});

t.test('attributes are written in type-code order', async (t) => {
  const a: PathAttributes = { med: 1, communities: [1], nextHop: '10.0.0.1', asPath: [], origin: 'IGP', localPref: 5, largeCommunities: [[1, 2, 3]] };
  const [msg] = packUpdates({ withdrawn: [], attributes: a, nlri: ['10.0.0.0/8'] }, C4);
  const codes: number[] = [];
  let p = 23;
  const end = 23 + ((msg![21]! << 8) | msg![22]!);
  while (p < end) {
    codes.push(msg![p + 1]!);
    p += (msg![p]! & 0x10 ? 4 + ((msg![p + 2]! << 8) | msg![p + 3]!) : 3 + msg![p + 2]!);
  }
  t.same(codes, [1, 2, 3, 4, 5, 8, 32], 'ascending type codes');
});

t.test('bad input is reported, not mis-encoded', async (t) => {
  t.throws(() => packUpdates({ withdrawn: [], attributes: { origin: 'IGP', asPath: [] }, nlri: ['10.0.0.1/32'] }, C4), /nextHop/);
  t.throws(() => packUpdates({ withdrawn: [], attributes: attrs, nlri: ['10.0.0.300/32'] }, C4), /10\.0\.0\.300/);
  t.throws(() => packUpdates({ withdrawn: [], attributes: { origin: 'IGP', asPath: [] }, nlri: ['2001:db8::/32'] }, C4), /nextHops/);
});

t.test('End-of-RIB markers', async (t) => {
  const v4 = decodeMessage(encodeMessage(endOfRib(), C4), C4);
  t.ok(v4.ok && v4.value.type === 'UPDATE' && isEndOfRib(v4.value)?.afi === 1, 'IPv4 unicast EoR is an empty UPDATE');
  const v6bytes = encodeMessage(endOfRib({ afi: 2, safi: 1 }), C4);
  const v6 = decodeMessage(v6bytes, C4);
  t.same(v6.ok && v6.value.type === 'UPDATE' ? isEndOfRib(v6.value) : null, { afi: 2, safi: 1 }, 'IPv6 EoR is a bare MP_UNREACH_NLRI');
  t.equal(v6bytes.length, 29, 'IPv6 EoR is 29 octets');
  const notEor = decodeMessage(packUpdates({ withdrawn: ['10.0.0.1/32'], attributes: {}, nlri: [] }, C4)[0]!, C4);
  t.equal(notEor.ok && notEor.value.type === 'UPDATE' ? isEndOfRib(notEor.value) : 'x', null, 'a withdrawal is not EoR');
});
