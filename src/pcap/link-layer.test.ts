import t from 'tap';
import { ipv4, ipv6, link, tcp } from '../../test/lab/synthetic-capture.js';
import { ipPayload, LinkType } from './link-layer.js';

const v4 = ipv4('192.0.2.1', '192.0.2.2', tcp({ sport: 179, dport: 4000, seq: 7, payload: [9, 9] }));
const v6 = ipv6('2001:db8::1', '2001:db8::2', tcp({ sport: 179, dport: 4000, seq: 7, payload: [9, 9] }));

const CASES: [string, number, (ip: number[]) => number[]][] = [
  ['Ethernet', LinkType.ETHERNET, (ip) => link.ethernet(ip)],
  ['Ethernet 802.1Q', LinkType.ETHERNET, (ip) => link.ethernet(ip, [0x8100])],
  ['Ethernet QinQ (802.1ad + 802.1Q)', LinkType.ETHERNET, (ip) => link.ethernet(ip, [0x88a8, 0x8100])],
  ['Linux cooked v1', LinkType.SLL, link.sll],
  ['Linux cooked v2', LinkType.SLL2, link.sll2],
  ['raw IP (101)', LinkType.RAW, link.raw],
  ['raw IP (12)', LinkType.RAW_12, link.raw],
  ['raw IP (14)', LinkType.RAW_14, link.raw],
  ['BSD null, little-endian host', LinkType.NULL, link.nullLe],
  ['BSD null, big-endian host', LinkType.NULL, link.nullBe],
  ['OpenBSD loop', LinkType.LOOP, link.loop],
  ['Cisco HDLC', LinkType.CHDLC, link.chdlc],
  ['PPP', LinkType.PPP, link.ppp],
  ['PPP with address/control', LinkType.PPP, link.pppHdlc],
  ['PPP with protocol-field compression', LinkType.PPP, link.pppCompressed],
  ['PPP in HDLC framing (50)', LinkType.PPP_HDLC, link.pppHdlc],
  ['Cisco HDLC on DLT 50', LinkType.PPP_HDLC, link.chdlc],
  ['Juniper Ethernet', LinkType.JUNIPER_ETHER, (ip) => link.juniperEther(ip)],
  ['Juniper Ethernet with extensions', LinkType.JUNIPER_ETHER, (ip) => link.juniperEther(ip, [1, 4, 0x65, 0x6d, 0x30, 0x00, 6, 2, 0, 5])],
  ['Juniper without L2 header', LinkType.JUNIPER_ETHER, link.juniperNoL2],
];

for (const [name, type, wrap] of CASES) {
  t.test(name, async (t) => {
    for (const ip of [v4, v6]) {
      const got = ipPayload(type, Uint8Array.from(wrap(ip)));
      const version = ip === v4 ? 4 : 6;
      t.equal(got?.version, version, `IPv${version} found`);
      t.same([...(got?.bytes ?? [])], ip, `IPv${version} packet bytes`);
    }
  });
}

t.test('DLT 228/229 take only their own IP version', async (t) => {
  t.equal(ipPayload(LinkType.IPV4, Uint8Array.from(v4))?.version, 4);
  t.equal(ipPayload(LinkType.IPV4, Uint8Array.from(v6)), null);
  t.equal(ipPayload(LinkType.IPV6, Uint8Array.from(v6))?.version, 6);
});

t.test('frames that carry no IP, or are cut short, give null', async (t) => {
  const arp = [...link.ethernet(v4).slice(0, 12), 0x08, 0x06, 0, 1];
  t.equal(ipPayload(LinkType.ETHERNET, Uint8Array.from(arp)), null, 'ARP');
  t.equal(ipPayload(LinkType.ETHERNET, Uint8Array.from([1, 2, 3])), null, 'truncated Ethernet');
  t.equal(ipPayload(LinkType.JUNIPER_ETHER, Uint8Array.from([0x4d, 0x47, 0x44, 0, ...link.ethernet(v4)])), null, 'bad Juniper magic');
  t.equal(ipPayload(147, Uint8Array.from(v4)), null, 'unsupported link type');
  t.equal(ipPayload(LinkType.NULL, Uint8Array.from([7, 0, 0, 0, ...v4])), null, 'unknown address family');
});
