import t from 'tap';
import { silentLogger } from '../log/logger.js';
import { DryRunDriver } from './dry-run-driver.js';
import { realServer, serviceId, type ServiceKey, type VirtualService } from './model.js';

const key = (port: number): ServiceKey => ({ protocol: 'tcp', address: '10.255.0.1', port });
const svc = (port: number): VirtualService => ({
  key: key(port), scheduler: 'wrr', flags: [], ops: false,
  realServers: [realServer({ address: '10.255.1.1', port, weight: 1, forwarding: 'route' })],
});
const ids = async (d: DryRunDriver) => (await d.read()).map((s) => serviceId(s.key)).sort();

t.test('a service owned later (reload) is deleted once it leaves desired; a foreign one never', async (t) => {
  const foreign = { ...svc(9999), realServers: [] };
  const d = new DryRunDriver({ owned: [key(80)], logger: silentLogger, initial: [foreign] });
  await d.apply([svc(80), svc(81)]);
  t.same(await ids(d), ['tcp|10.255.0.1|80', 'tcp|10.255.0.1|81', 'tcp|10.255.0.1|9999']);
  await d.apply([svc(80)]);
  t.same(await ids(d), ['tcp|10.255.0.1|80', 'tcp|10.255.0.1|81', 'tcp|10.255.0.1|9999'],
    'not owned: a service only ever desired is left alone');
  d.own([key(81)]);
  const r = await d.apply([svc(80)]);
  t.match(r.batch, /-D -t 10\.255\.0\.1:81/);
  t.same(await ids(d), ['tcp|10.255.0.1|80', 'tcp|10.255.0.1|9999']);
  await d.apply([]);
  t.same(await ids(d), ['tcp|10.255.0.1|9999'], 'owned from the start: deleted; foreign: kept');
});
