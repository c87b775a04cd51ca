import t from 'tap';
import { arpLookup } from './route.js';

const ARP = `IP address       HW type     Flags       HW address            Mask     Device
10.255.0.2       0x1         0x2         5a:0c:11:22:33:44     *        vh1
10.255.0.6       0x1         0x0         00:00:00:00:00:00     *        vh2
10.255.0.2       0x1         0x2         aa:bb:cc:dd:ee:ff     *        vh9
10.255.0.10      0x1         0x6         02:00:00:00:00:0a     *        vh3
`;

t.test('arpLookup: complete entries of that device only', async (t) => {
  t.same([...arpLookup(ARP, '10.255.0.2', 'vh1')!], [0x5a, 0x0c, 0x11, 0x22, 0x33, 0x44]);
  t.same([...arpLookup(ARP, '10.255.0.2', 'vh9')!], [0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff]);
  t.equal(arpLookup(ARP, '10.255.0.6', 'vh2'), null, 'incomplete');
  t.same([...arpLookup(ARP, '10.255.0.10', 'vh3')!], [2, 0, 0, 0, 0, 10], 'permanent (0x6) counts');
  t.equal(arpLookup(ARP, '10.255.0.2', 'vh3'), null, 'another device');
  t.equal(arpLookup(ARP, '10.255.0.99', 'vh1'), null);
  t.equal(arpLookup('', '10.255.0.2', 'vh1'), null);
});
