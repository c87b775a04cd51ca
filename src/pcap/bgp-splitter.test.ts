import t from 'tap';
import { keepalive, open, routeRefresh, update, vipAttrs, prefix } from '../../test/lab/raw-bgp.js';
import { BgpSplitter, findHeader } from './bgp-splitter.js';

const msgs = [
  open({ asn: 64600, holdTime: 30, bgpId: '192.0.2.1', routeRefresh: true }),
  keepalive(),
  update({ attrs: vipAttrs(64600, '192.0.2.10'), nlri: [prefix('10.0.0.1/32')] }),
  routeRefresh(),
];
const stream = Buffer.concat(msgs);
const chunk = (b: Uint8Array, frame = 1) => ({ bytes: b, ts: frame, frame, gapBefore: false });

t.test('a stream split at every offset frames the same messages', async (t) => {
  for (let cut = 1; cut < stream.length; cut++) {
    const s = new BgpSplitter(true);
    const out = [...s.push(chunk(stream.subarray(0, cut), 1)), ...s.push(chunk(stream.subarray(cut), 2))];
    if (out.length !== msgs.length || out.some((m, i) => !Buffer.from(m.bytes).equals(msgs[i]!))) {
      t.fail(`split at ${cut}`);
      return;
    }
  }
  t.pass(`all ${stream.length - 1} split points frame ${msgs.length} messages`);
});

t.test('a message is stamped with the chunk that completed it', async (t) => {
  const s = new BgpSplitter(true);
  t.same(s.push(chunk(msgs[0]!.subarray(0, 10), 4)), []);
  const out = s.push(chunk(msgs[0]!.subarray(10), 9));
  t.equal(out[0]!.frame, 9);
});

t.test('joined mid-message: resynchronises on the marker', async (t) => {
  const s = new BgpSplitter(false);
  const out = s.push(chunk(stream.subarray(30)));
  t.same(out.map((m) => m.bytes[18]), [4, 2, 5], 'KEEPALIVE, UPDATE, ROUTE-REFRESH after the partial OPEN');
});

t.test('a stream whose first bytes are not a marker looks for one, even from port 179', async (t) => {
  const s = new BgpSplitter(true);
  const out = s.push(chunk(Buffer.concat([Buffer.from([0xff, 0x20, 0x02]), keepalive()])));
  t.same(out.map((m) => m.bytes.length), [19]);
});

t.test('a header whose length is below 19 is handed over alone, then the marker is sought again', async (t) => {
  const s = new BgpSplitter(true);
  const bad = Buffer.from(keepalive());
  bad.writeUInt16BE(18, 16);
  const out = s.push(chunk(Buffer.concat([keepalive(), bad, Buffer.from([1, 2, 3]), keepalive()])));
  t.same(out.map((m) => m.bytes.length), [19, 19, 19]);
  t.equal((out[1]!.bytes[16]! << 8) | out[1]!.bytes[17]!, 18, 'the bad header itself');
});

t.test('after a gap the splitter drops its partial message and resynchronises', async (t) => {
  const s = new BgpSplitter(true);
  s.push(chunk(msgs[2]!.subarray(0, 30)));
  const out = s.push({ bytes: Buffer.concat([Buffer.from([7, 7, 7]), keepalive()]), ts: 2, frame: 2, gapBefore: true });
  t.same(out.map((m) => m.bytes[18]), [4]);
});

t.test('finish() returns a message the capture cut short, marked truncated', async (t) => {
  const s = new BgpSplitter(true);
  s.push(chunk(msgs[2]!.subarray(0, 25)));
  t.equal(s.pendingBytes, 25);
  const tail = s.finish(5, 5);
  t.equal(tail?.truncated, true);
  t.equal(tail?.bytes.length, 25);
  t.equal(new BgpSplitter(true).finish(0, 0), null);
});

t.test('findHeader wants 16 × 0xff, a length of at least 19 and a type 1-5', async (t) => {
  const ka = keepalive();
  t.equal(findHeader(Buffer.concat([Buffer.from([0xff, 0xff, 1]), ka]), 0), 3);
  const badType = Buffer.from(ka);
  badType[18] = 9;
  t.equal(findHeader(badType, 0), -1);
  t.equal(findHeader(Buffer.concat([Buffer.from([0xff, 0xff]), ka]), 0), 2, 'a longer run of 0xff: the last 16 are the marker');
});
