// The coordinator's IPVS port: the whole table to the reconciler on every batch, but only the
// services a batch names are built again (at 10,000 realservers a rebuild parsed every address).
import t from 'tap';
import { parseConfig } from '../../config/index.js';
import type { IpvsReconciler, IpvsTable } from '../../lvs/index.js';
import { FakeClock } from '../../../test/support/fake-clock.js';
import { IpvsAdapter, type BatchSpacing } from './ipvs-adapter.js';

const section = (name: string, ip: string, port: number): string => `[${name}]
protocol = tcp
ip = ${ip}
port = ${port}
scheduler = wrr
config = file:///etc/pybal/pools/${name}
monitors = [ "ProxyFetch" ]
proxyfetch.url = [ 'http://example.org/' ]
`;
const conf = `[global]\nbgp = no\n${section('web', '10.2.0.1', 80)}${section('api', '10.2.0.2', 443)}`;

function rig(spacing?: BatchSpacing) {
  const r = parseConfig(conf, 'test.conf');
  if (!r.ok) throw new Error(r.errors.map((e) => e.message).join('; '));
  const tables: IpvsTable[] = [];
  const reconciler = { setDesired: (d: IpvsTable) => { tables.push(d); return Promise.resolve({ ok: true, commands: [] }); }, onOutcome: () => {} };
  const a = new IpvsAdapter(reconciler as unknown as IpvsReconciler, () => {}, spacing);
  a.setServices(r.config.services);
  return { a, tables, services: r.config.services };
}

const server = (host: string, ip: string, weight = 10) => ({ host, ip, port: 80, weight });

t.test('a batch builds only its services again; the table is whole', async (t) => {
  const { a, tables, services } = rig();
  a.adopt([]);
  a.applyChanges({ services: [{ service: 'web', realServers: [server('a', '10.0.0.1'), server('b', '10.0.0.2')] }, { service: 'api', realServers: [server('c', '10.0.1.1')] }], removed: [] });
  const [web1, api1] = tables.at(-1)!;
  t.same(web1!.realServers.map((r) => [r.address, r.weight]), [['10.0.0.1', 10], ['10.0.0.2', 10]]);
  a.applyChanges({ services: [{ service: 'web', realServers: [server('a', '10.0.0.1', 20), server('b', '10.0.0.2')] }], removed: [] });
  const [web2, api2] = tables.at(-1)!;
  t.equal(api2, api1, 'a service the batch does not name: the same object, not built again');
  t.not(web2, web1, 'the named one: built again');
  t.same(web2!.realServers.map((r) => r.weight), [20, 10]);
  a.applyChanges({ services: [{ service: 'api', realServers: [server('c', '10.0.1.1'), server('c2', '10.0.1.1')] }], removed: [] });
  t.same(tables.at(-1)![1]!.realServers.map((r) => r.address), ['10.0.1.1'], 'two hostnames on one address: one realserver');
  a.setServices(services);
  a.applyChanges({ services: [], removed: [] });
  t.not(tables.at(-1)![1], tables.at(-2)![1], 'a new config: every service built again');
  t.same(tables.at(-1)![0]!.realServers.map((r) => r.weight), [20, 10], 'from the same pools');
});

t.test('until its pool arrives a service keeps what the kernel had; nothing is sent before the read', async (t) => {
  const { a, tables } = rig();
  a.applyChanges({ services: [{ service: 'web', realServers: [server('a', '10.0.0.1')] }], removed: [] });
  t.equal(tables.length, 0, 'no table before the kernel was read');
  const kernelApi = { address: '10.0.9.9', port: 443, forwarding: 'masq', weight: 5, upperThreshold: 0, lowerThreshold: 0, extra: [] };
  a.adopt([{ key: { protocol: 'tcp', address: '10.2.0.2', port: 443 }, scheduler: 'wrr', flags: [], ops: false, realServers: [kernelApi] }] as unknown as IpvsTable);
  t.equal(tables.length, 1, 'the waiting decision goes once the kernel was read');
  t.same(tables[0]![1]!.realServers.map((r) => r.address), ['10.0.9.9'], 'api: adopted from the kernel');
  t.same(tables[0]![0]!.realServers.map((r) => r.address), ['10.0.0.1'], 'web: its pool');
});

t.test('batches closer than the spacing go as one, the latest; a lone batch goes at once', async (t) => {
  const clock = new FakeClock();
  const { a, tables } = rig({ clock, ms: 25 });
  a.adopt([]);
  const batch = (w: number) => a.applyChanges({ services: [{ service: 'web', realServers: [server('a', '10.0.0.1', w)] }], removed: [] });
  const weights = () => tables.map((x) => x[0]!.realServers[0]?.weight);
  batch(1);
  t.same(weights(), [1], 'the first batch at once');
  batch(2);
  clock.advance(10);
  batch(3);
  t.same(weights(), [1], 'two more within 25 ms: waiting');
  clock.advance(15);
  t.same(weights(), [1, 3], '25 ms after the first: one batch, the latest');
  clock.advance(100);
  batch(4);
  t.same(weights(), [1, 3, 4], 'after a quiet spell: at once');
  batch(5);
  a.stop();
  clock.advance(100);
  t.same(weights(), [1, 3, 4], 'stopped: the waiting batch is dropped');
});
