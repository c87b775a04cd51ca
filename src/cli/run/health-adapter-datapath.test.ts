// buildMonitors hands each monitor its service's VIP and forwarding method (tcp.via-vip); a service
// where the option cannot work is refused with its section, line and the option.
import t from 'tap';
import { parseConfig } from '../../config/index.js';
import { buildMonitors } from './health-adapter.js';

const conf = (extra: string): string => `[web]
protocol = tcp
ip = 10.255.7.1
port = 80
scheduler = wrr
config = file:///etc/pybal/pools/web
monitors = [ 'TCP' ]
tcp.via-vip = yes
${extra}`;

function build(extra: string) {
  const r = parseConfig(conf(extra), 'pybal.conf');
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return buildMonitors(r.config.services[0]!, {});
}

t.test('direct routing and IPIP services build their monitor', async (t) => {
  for (const extra of ['', 'tunneling = true\n', 'ipvs-forwarding = tun\n']) t.ok('monitors' in build(extra), extra || 'dr');
});

t.test('a NAT service is refused, naming the section, its line and the option', async (t) => {
  const r = build('ipvs-forwarding = nat\n');
  t.same(r, { error: '[web] line 1: tcp.via-vip: the service forwards by NAT (ipvs-forwarding = nat), where realservers do not carry the VIP; drop the option' });
});
