import t from 'tap';
import type { BgpStatus } from '../../api/types.js';
import type { GlobalConfig } from '../../config/index.js';
import type { VipDecision } from '../../coordinator/vip-policy.js';
import { registrationInfo, siteReloadWarning } from './site-wiring.js';

const g = (extra: Partial<GlobalConfig> = {}) => ({
  instanceName: 'lvs1', instanceUrl: null, instrumentationIps: ['::1'], instrumentationPort: 9090, bgpNexthopIpv4: null, bgpNexthopIpv6: null, ...extra,
}) as unknown as GlobalConfig;
const vip = (prefix: string, announced: boolean) => ({ ip: prefix.split('/')[0], prefix, announced, services: [] }) as unknown as VipDecision;
const peer = (address: string, state: string) => ({ peer: address, state }) as BgpStatus['peers'][number];

t.test('the registration: VIPs announced to an Established peer, Established peers, address and URL', async (t) => {
  const bgp: BgpStatus = { enabled: true, localAs: 64600, peers: [peer('10.0.0.254', 'Established'), peer('10.0.0.253', 'Active')] };
  const d = { coordinator: { vipDecisions: () => [vip('10.2.1.1/32', true), vip('10.2.1.2/32', false)] }, bgp: () => bgp };
  t.same(registrationInfo(g({ bgpNexthopIpv4: '10.0.0.5' }), d), {
    name: 'lvs1', address: '10.0.0.5', url: 'http://[::1]:9090/', vips: ['10.2.1.1/32'], peers: ['10.0.0.254'],
  });
  const down: BgpStatus = { ...bgp, peers: [peer('10.0.0.254', 'Connect')] };
  t.same(registrationInfo(g({ instanceUrl: 'http://lvs1.ams:9090/' }), { ...d, bgp: () => down }), {
    name: 'lvs1', address: '::1', url: 'http://lvs1.ams:9090/', vips: [], peers: [],
  }, 'no Established peer: nothing announced, whatever the decision');
});

t.test('a reload changing the site keys is told they are read at start only', async (t) => {
  t.equal(siteReloadWarning(g(), g()), null);
  t.equal(siteReloadWarning(g(), g({ instanceName: 'lvs2', overridesSource: 'etcd3://e:2379/p' })),
    'overrides-source, instance-name changed: read at start only, the running values stay until vipd restarts');
});
