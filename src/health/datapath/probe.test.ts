import t from 'tap';
import { CheckAbort } from '../check-signal.js';
import { OptionError } from '../options.js';
import { checkViaVip, dataPathFor } from './probe.js';

process.env.VIPD_NATIVE = '0'; // before the addon's first load: as on a host where it is not built

t.test('dataPathFor: direct routing and IPIP services; NAT, IPv6 and no service refused, naming the option', async (t) => {
  t.same(dataPathFor('tcp.via-vip', { vip: '10.2.0.1', forwarding: 'dr' }), { vip: '10.2.0.1', forwarding: 'dr' });
  t.same(dataPathFor('tcp.via-vip', { vip: '10.2.0.1', forwarding: 'tun' }), { vip: '10.2.0.1', forwarding: 'tun' });
  t.throws(() => dataPathFor('tcp.via-vip', { vip: '10.2.0.1', forwarding: 'nat' }), new OptionError('tcp.via-vip: the service forwards by NAT (ipvs-forwarding = nat), where realservers do not carry the VIP; drop the option'));
  t.throws(() => dataPathFor('tcp.via-vip', { vip: '2001:db8::1', forwarding: 'dr' }), /^tcp\.via-vip: only IPv4 VIPs/);
  t.throws(() => dataPathFor('tcp.via-vip', undefined), /^tcp\.via-vip: needs the service's VIP/);
});

t.test('without the native addon the check is down with the reason, never a plain check', async (t) => {
  const r = await checkViaVip({ host: 'cp1', ip: '127.0.0.1', port: 9 }, { vip: '10.2.0.1', forwarding: 'dr' }, 'tcp.via-vip', 500, new CheckAbort());
  t.equal(r.up, false);
  t.equal(r.reason, 'tcp.via-vip: cannot check server cp1 (127.0.0.1) through the data path: native addon unavailable (switched off by VIPD_NATIVE=0)');
});
