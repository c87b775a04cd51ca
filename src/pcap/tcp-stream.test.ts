import fc from 'fast-check';
import t from 'tap';
import { TcpStream, seqDiff, type StreamChunk } from './tcp-stream.js';

const bytes = (n: number, from = 0) => Uint8Array.from({ length: n }, (_, i) => (from + i) & 0xff);
const joined = (chunks: StreamChunk[]) => [...chunks.flatMap((c) => [...c.bytes])];

t.test('in-order segments come out as they are, stamped with their own frame', async (t) => {
  const s = new TcpStream();
  const a = s.syn(1000, new Uint8Array(0), 1, 1);
  t.same(a, []);
  const c1 = s.push(1001, bytes(5), 2, 2);
  const c2 = s.push(1006, bytes(3, 5), 3, 3);
  t.same(joined([...c1, ...c2]), [...bytes(8)]);
  t.same([c1[0]!.frame, c2[0]!.frame], [2, 3]);
  t.equal(s.unsynced, false, 'a SYN was seen');
});

t.test('out-of-order: the later segment waits; the filling one releases both', async (t) => {
  const s = new TcpStream();
  s.syn(0, new Uint8Array(0), 0, 1);
  t.same(s.push(11, bytes(10, 10), 0, 2), [], 'gap: nothing yet');
  const out = s.push(1, bytes(10), 0, 3);
  t.same(joined(out), [...bytes(20)]);
  t.ok(out.every((c) => c.frame === 3), 'completed by frame 3');
});

t.test('retransmissions are dropped and overlaps trimmed', async (t) => {
  const s = new TcpStream();
  s.syn(0, new Uint8Array(0), 0, 1);
  const out = [...s.push(1, bytes(10), 0, 2), ...s.push(1, bytes(10), 0, 3), ...s.push(6, bytes(10, 5), 0, 4), ...s.push(3, bytes(3, 2), 0, 5)];
  t.same(joined(out), [...bytes(15)]);
});

t.test('sequence numbers wrap around 2^32', async (t) => {
  t.equal(seqDiff(5, 0xfffffffb), 10);
  const s = new TcpStream();
  s.syn(0xfffffff0, new Uint8Array(0), 0, 1);
  const out = [...s.push(0xfffffff1, bytes(20), 0, 2), ...s.push(0x5, bytes(5, 20), 0, 3)];
  t.same(joined(out), [...bytes(25)]);
});

t.test('joined mid-session: the first segment seen starts the stream, unsynced', async (t) => {
  const s = new TcpStream();
  t.same(joined(s.push(777, bytes(4), 0, 1)), [...bytes(4)]);
  t.equal(s.unsynced, true);
});

t.test('a hole that never fills is skipped at the end and marked as a gap', async (t) => {
  const s = new TcpStream();
  s.syn(0, new Uint8Array(0), 0, 1);
  s.push(1, bytes(4), 0, 2);
  t.same(s.push(100, bytes(4, 50), 7, 3), []);
  const tail = s.flush();
  t.same(joined(tail), [...bytes(4, 50)]);
  t.equal(tail[0]!.gapBefore, true);
  t.equal(tail[0]!.frame, 3, 'stamped with the frame that carried it');
});

t.test('data in a SYN that a rewriter did not count is not cut by one byte', async (t) => {
  const s = new TcpStream();
  const first = s.syn(1, bytes(65), 0, 1);
  const next = s.push(66, bytes(19, 65), 0, 2);
  t.same(joined([...first, ...next]), [...bytes(84)]);
});

t.test('property: any segmentation, reordering and duplication reassembles to the original bytes', async (t) => {
  fc.assert(fc.property(
    fc.uint8Array({ minLength: 1, maxLength: 400 }),
    fc.array(fc.integer({ min: 1, max: 60 }), { minLength: 1, maxLength: 30 }),
    fc.integer({ min: 0, max: 0xffffffff }),
    fc.array(fc.nat(), { maxLength: 40 }),
    (data, cuts, isn, shuffle) => {
      const segs: { seq: number; payload: Uint8Array }[] = [];
      let off = 0;
      for (let i = 0; off < data.length; i++) {
        const len = cuts[i % cuts.length]!;
        segs.push({ seq: (isn + 1 + off) >>> 0, payload: data.subarray(off, off + len) });
        off += len;
      }
      const order = [...segs];
      for (const k of shuffle) {
        const a = k % order.length;
        const b = (k >> 3) % order.length;
        [order[a], order[b]] = [order[b]!, order[a]!];
        if (k % 5 === 0) order.push(order[a]!); // a retransmission
      }
      const s = new TcpStream();
      s.syn(isn, new Uint8Array(0), 0, 0);
      const out = order.flatMap((seg, i) => s.push(seg.seq, seg.payload, i, i + 1));
      const all = [...out, ...s.flush()];
      return Buffer.from(joined(all)).equals(Buffer.from(data)) && all.every((c) => !c.gapBefore);
    },
  ), { numRuns: 300 });
  t.pass('300 random segmentations reassembled');
});
