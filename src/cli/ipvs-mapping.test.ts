import t from 'tap';
import { parseConfig } from '../config/index.js';
import { realServer, serviceKey, virtualService } from './ipvs-mapping.js';

function service(body: string) {
  const r = parseConfig(`[global]\n[web]\n${body}\nconfig = file:///etc/pybal/pools/web\nmonitors = [ "IdleConnection" ]\n`, 'test.conf');
  if (!r.ok) throw new Error(r.errors.map((e) => e.message).join('; '));
  return r.config.services[0]!;
}

t.test('virtual service: forwarding, persistence, weight 0 kept', async (t) => {
  const s = service('protocol = tcp\nip = 10.2.0.1\nport = 443\nscheduler = wlc\nipvs-forwarding = nat\nipvs-persistence = 600');
  const vs = virtualService(s, [realServer(s, { ip: '10.0.0.5', port: 8443, weight: 0 })]);
  t.same(vs.key, { protocol: 'tcp', address: '10.2.0.1', port: 443 });
  t.equal(vs.scheduler, 'wlc');
  t.same(vs.persistence, { timeout: 600 });
  t.match(vs.realServers[0], { address: '10.0.0.5', port: 8443, forwarding: 'masq', weight: 0 });
});

t.test('a realserver without its own port takes the service port; no persistence, none set', async (t) => {
  const s = service('protocol = udp\nip = 10.2.0.2\nport = 53\nscheduler = rr');
  const vs = virtualService(s, [realServer(s, { ip: '10.0.0.6', weight: 3 })]);
  t.equal(vs.persistence, undefined);
  t.match(vs.realServers[0], { port: 53, forwarding: 'route', weight: 3 });
});

t.test('IPv6 addresses are canonical in the key and the realservers', async (t) => {
  const s = service('protocol = tcp\nip = 2001:db8:0:0::1\nport = 80\nscheduler = wrr');
  t.same(serviceKey(s), { protocol: 'tcp', address: '2001:db8::1', port: 80 });
  t.equal(realServer(s, { ip: '2001:DB8::0:5', weight: 1 }).address, '2001:db8::5');
});
