import t from 'tap';
import { commandArgs, renderBatch, renderCommand, type Command } from './commands.js';
import { realServer, type ServiceKey, type VirtualService } from './model.js';

const v6: ServiceKey = { protocol: 'tcp', address: 'fd00:255::1', port: 443 };
const fw6: ServiceKey = { protocol: 'fwmark', mark: 9, family: 'inet6' };
const svc = (key: ServiceKey, more: Partial<VirtualService> = {}): VirtualService =>
  ({ key, scheduler: 'wrr', flags: [], ops: false, realServers: [], ...more });

t.test('rendering as ipvsadm accepts it', async (t) => {
  const cases: [Command, string][] = [
    [{ op: 'add-service', service: svc(v6, { persistence: { timeout: 60, netmask: '64', engine: 'sip' } }) },
      '-A -t [fd00:255::1]:443 -s wrr -p 60 -M 64 --pe sip'],
    [{ op: 'add-service', service: svc({ protocol: 'udp', address: '10.255.0.1', port: 53 }, { scheduler: 'sh', ops: true, flags: ['sh-port', 'sh-fallback'] }) },
      '-A -u 10.255.0.1:53 -s sh -o -b sh-fallback,sh-port'],
    [{ op: 'edit-service', service: svc(fw6, { scheduler: 'lc' }) }, '-E -f 9 -6 -s lc'],
    [{ op: 'delete-service', key: { protocol: 'fwmark', mark: 9, family: 'inet' } }, '-D -f 9'],
    [{ op: 'add-server', key: v6, server: realServer({ address: 'fd00:255::10', port: 8443, forwarding: 'masq', weight: 0 }) },
      '-a -t [fd00:255::1]:443 -r [fd00:255::10]:8443 -m -w 0'],
    [{ op: 'add-server', key: v6, server: realServer({ address: 'fd00:255::10', port: 443, upperThreshold: 100, lowerThreshold: 50 }) },
      '-a -t [fd00:255::1]:443 -r [fd00:255::10]:443 -g -w 1 -x 100 -y 50'],
    [{ op: 'edit-server', key: fw6, server: realServer({ address: 'fd00:255::20', port: 0, forwarding: 'tunnel', weight: 3 }) },
      '-e -f 9 -6 -r [fd00:255::20]:0 -i -w 3 -x 0 -y 0'],
    [{ op: 'delete-server', key: v6, server: realServer({ address: 'fd00:255::10', port: 443 }) },
      '-d -t [fd00:255::1]:443 -r [fd00:255::10]:443'],
  ];
  for (const [c, line] of cases) t.equal(renderCommand(c), line, c.op);
  t.equal(renderBatch(cases.map(([c]) => c)), cases.map(([, l]) => l + '\n').join(''), 'a batch is one line per command');
  t.same(commandArgs(cases[3]![0]), ['-D', '-f', '9']);
});

t.test('addresses are canonical, whatever the input spelling', async (t) => {
  t.equal(realServer({ address: 'FD00:0255:0000::0010', port: 80 }).address, 'fd00:255::10');
  t.equal(realServer({ address: '::ffff:10.0.0.1', port: 80 }).address, '10.0.0.1');
  t.throws(() => realServer({ address: 'web1', port: 80 }), /'web1' is not an IP address/);
});
