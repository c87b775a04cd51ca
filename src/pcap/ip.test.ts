import t from 'tap';
import { ipv4, ipv6, link, tcp } from '../../test/lab/synthetic-capture.js';
import { parseIp } from './ip.js';
import { ipPayload } from './link-layer.js';

const seg = tcp({ sport: 179, dport: 5000, seq: 1, payload: [0xaa, 0xbb] });

t.test('IPv4 with options: payload starts after IHL words', async (t) => {
  const p = parseIp({ version: 4, bytes: Uint8Array.from(ipv4('10.1.1.1', '10.2.2.2', seg, { options: [0x94, 4, 0, 0, 1, 1, 1, 0] })) });
  t.equal(p?.src, '10.1.1.1');
  t.equal(p?.dst, '10.2.2.2');
  t.equal(p?.protocol, 6);
  t.same([...p!.payload], seg);
});

t.test('Ethernet padding past the IPv4 total length is dropped', async (t) => {
  const small = ipv4('10.1.1.1', '10.2.2.2', tcp({ sport: 179, dport: 5000, seq: 1 }));
  const ip = ipPayload(1, Uint8Array.from(link.ethernet(small, [], 60)));
  const p = parseIp(ip!);
  t.equal(p?.payload.length, 20, 'only the TCP header, no padding');
});

t.test('IPv4 later fragments are skipped; a first fragment is read as far as it goes', async (t) => {
  t.equal(parseIp({ version: 4, bytes: Uint8Array.from(ipv4('10.1.1.1', '10.2.2.2', seg, { fragOffset: 0x0010 })) }), null);
  t.ok(parseIp({ version: 4, bytes: Uint8Array.from(ipv4('10.1.1.1', '10.2.2.2', seg, { fragOffset: 0x2000 })) }));
});

t.test('IPv6 walks hop-by-hop, routing and destination options headers to TCP', async (t) => {
  const p = parseIp({ version: 6, bytes: Uint8Array.from(ipv6('2001:db8::1', 'fd00:255::2', seg, [[0, [1, 0, 0, 0]], [43, [0, 0, 0, 0, 0, 0]], [60, [1, 2, 0, 0]]])) });
  t.equal(p?.src, '2001:db8::1');
  t.equal(p?.dst, 'fd00:255::2');
  t.equal(p?.protocol, 6);
  t.same([...p!.payload], seg);
});

t.test('IPv6 fragments and truncated headers give null, not a throw', async (t) => {
  t.equal(parseIp({ version: 6, bytes: Uint8Array.from(ipv6('::1', '::1', seg, [[44, [0, 0, 0, 0, 0, 0]]])) }), null);
  t.equal(parseIp({ version: 6, bytes: Uint8Array.from(ipv6('::1', '::1', seg).slice(0, 30)) }), null);
  t.equal(parseIp({ version: 4, bytes: Uint8Array.from([0x45, 0, 0]) }), null);
  t.equal(parseIp({ version: 4, bytes: Uint8Array.from([0x46, 0, 0, 20, ...new Array<number>(16).fill(0)]) }), null);
});
