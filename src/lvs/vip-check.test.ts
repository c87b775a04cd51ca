import t from 'tap';
import type { IpvsTable, ServiceKey } from './model.js';
import { canonicalIp, withheldVips } from './vip-check.js';

const web: ServiceKey = { protocol: 'tcp', address: '10.2.1.1', port: 80 };
const webTls: ServiceKey = { protocol: 'tcp', address: '10.2.1.1', port: 443 };
const v6: ServiceKey = { protocol: 'udp', address: '2001:db8::53', port: 53 };
const table = (...keys: ServiceKey[]): IpvsTable => keys.map((key) => ({ key, scheduler: 'wrr', flags: [], ops: false, realServers: [] }));
const VIPS = [{ ip: '10.2.1.1', services: [web, webTls] }, { ip: '2001:db8:0::53', services: [v6] }];

t.test('local and held by IPVS: nothing withheld', async (t) => {
  t.same([...withheldVips(VIPS, new Set(['10.2.1.1', '2001:db8::53']), table(web, webTls, v6))], []);
});

t.test('not a local address: withheld, naming the address', async (t) => {
  t.same([...withheldVips(VIPS, new Set(['2001:db8::53']), table(web, webTls, v6))],
    [['10.2.1.1', '10.2.1.1 is not configured on this host']]);
});

t.test('a service IPVS does not hold: withheld, naming the service', async (t) => {
  t.same([...withheldVips(VIPS, new Set(['10.2.1.1', '2001:db8::53']), table(web))], [
    ['10.2.1.1', 'IPVS has no service 10.2.1.1:443/tcp'],
    ['2001:db8::53', 'IPVS has no service [2001:db8::53]:53/udp'],
  ]);
});

t.test('both missing, or the table never read: every reason', async (t) => {
  t.same(withheldVips(VIPS.slice(0, 1), new Set(), table()).get('10.2.1.1'),
    '10.2.1.1 is not configured on this host; IPVS has no service 10.2.1.1:80/tcp, 10.2.1.1:443/tcp');
  t.same(withheldVips(VIPS.slice(0, 1), new Set(['10.2.1.1']), null).get('10.2.1.1'), 'the IPVS table has not been read yet');
});

t.test('addresses compare in canonical form', async (t) => {
  t.equal(canonicalIp('2001:DB8:0:0::53'), '2001:db8::53');
  t.equal(canonicalIp('fe80::1%eth0'), 'fe80::1');
  t.equal(canonicalIp('::ffff:10.2.1.1'), '10.2.1.1');
  t.equal(canonicalIp('lo'), null);
});
