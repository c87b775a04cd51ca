import t from 'tap';
import { ipv4, link, pcapFile, pcapngFile, tcp } from '../../test/lab/synthetic-capture.js';
import { readFrames } from './capture.js';
import { CaptureError } from './errors.js';

const frame = link.ethernet(ipv4('10.0.0.1', '10.0.0.2', tcp({ sport: 1000, dport: 179, seq: 1, payload: [1, 2, 3] })));
const TS1 = 1700000000.25;
const TS2 = 1700000001.000123;

t.test('classic pcap in both byte orders, microsecond and nanosecond', async (t) => {
  for (const be of [false, true]) {
    for (const nano of [false, true]) {
      const { format, frames } = readFrames(pcapFile(1, [{ ts: TS1, data: frame }, { ts: TS2, data: frame }], { be, nano }));
      const what = `${be ? 'big' : 'little'}-endian ${nano ? 'ns' : 'µs'}`;
      t.equal(format, 'pcap', what);
      t.equal(frames.length, 2, `${what}: two frames`);
      t.equal(frames[0]!.linkType, 1, `${what}: link type`);
      t.same([...frames[1]!.data], frame, `${what}: frame bytes`);
      t.ok(Math.abs(frames[0]!.ts - TS1) < 1e-6 && Math.abs(frames[1]!.ts - TS2) < 1e-6, `${what}: timestamps`);
      t.same(frames.map((f) => f.index), [1, 2], `${what}: 1-based frame numbers`);
    }
  }
});

t.test('pcapng: interfaces with their own link type and timestamp resolution, both byte orders', async (t) => {
  for (const be of [false, true]) {
    const raw = link.raw(ipv4('10.0.0.1', '10.0.0.2', tcp({ sport: 1, dport: 179, seq: 1 })));
    const bytes = pcapngFile(
      [{ linkType: 1 }, { linkType: 101, tsresol: 9 }, { linkType: 113, tsresol: 0x80 | 20 }],
      [{ ts: TS1, data: frame, iface: 0 }, { ts: TS2, data: raw, iface: 1 }, { ts: TS1, data: link.sll([0x45]), iface: 2 }],
      { be },
    );
    const { format, frames } = readFrames(bytes);
    t.equal(format, 'pcapng');
    t.same(frames.map((f) => f.linkType), [1, 101, 113], 'link type per interface');
    t.ok(Math.abs(frames[0]!.ts - TS1) < 1e-6, 'default resolution is µs');
    t.ok(Math.abs(frames[1]!.ts - TS2) < 1e-8, 'if_tsresol 9 is ns');
    t.ok(Math.abs(frames[2]!.ts - TS1) < 1e-5, 'if_tsresol 2^-20');
    t.same([...frames[1]!.data], raw);
  }
});

t.test('pcapng simple packet blocks use the first interface', async (t) => {
  const { frames } = readFrames(pcapngFile([{ linkType: 1 }], [{ ts: 0, data: frame }, { ts: 0, data: frame }], { simple: true }));
  t.equal(frames.length, 2);
  t.same([...frames[0]!.data], frame);
  t.equal(frames[0]!.linkType, 1);
});

t.test('unreadable files give a CaptureError that says what and where', async (t) => {
  const good = pcapFile(1, [{ ts: TS1, data: frame }]);
  t.throws(() => readFrames(good.subarray(0, good.length - 3)), { name: 'CaptureError', message: /record 1: captured length \d+ runs past the end of the file \(at byte 24\)/ });
  t.throws(() => readFrames(good.subarray(0, 30)), /record 1: header truncated/);
  t.throws(() => readFrames(Uint8Array.from([0x7b, 0x0a, 0x20, 0x20, 0x22])), /not a pcap or pcapng file: magic number 0x7b0a2020/);
  t.throws(() => readFrames(new Uint8Array(2)), /only 2 bytes/);
  const ng = pcapngFile([{ linkType: 1 }], [{ ts: 0, data: frame }]);
  t.throws(() => readFrames(ng.subarray(0, ng.length - 8)), /runs past the end of the file/);
  const badIface = pcapngFile([{ linkType: 1 }], [{ ts: 0, data: frame, iface: 0 }]);
  const noIdb = Uint8Array.from([...badIface.subarray(0, 28), ...badIface.subarray(28 + 20)]);
  t.throws(() => readFrames(noIdb), /names interface 0, which was not described/);
  try {
    readFrames(good.subarray(0, good.length - 3));
  } catch (e) {
    t.ok(e instanceof CaptureError && e.offset === 24, 'offset of the bad record');
  }
});
