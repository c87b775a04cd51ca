import fc from 'fast-check';
import t from 'tap';
import { renderCommand } from './commands.js';
import { normalizeService, realServer, serviceId, type IpvsTable, type RealServer, type ServiceKey, type VirtualService } from './model.js';
import { ownedIds, plan } from './plan.js';
import { parseSave } from './parse-save.js';
import { applyCommands } from './table-apply.js';

const A: ServiceKey = { protocol: 'tcp', address: '10.255.0.1', port: 80 };
const F: ServiceKey = { protocol: 'tcp', address: '10.255.9.9', port: 80 };
const svc = (key: ServiceKey, servers: RealServer[], more: Partial<VirtualService> = {}): VirtualService =>
  ({ key, scheduler: 'wlc', flags: [], ops: false, realServers: servers, ...more });
const rs = (n: number, weight = 10): RealServer => realServer({ address: `10.255.0.${n}`, port: 80, weight });
const lines = (d: IpvsTable, a: IpvsTable, owned?: Set<string>): string[] => plan(d, a, owned).map(renderCommand);

t.test('from an empty table: the service, then its servers', async (t) => {
  t.same(lines([svc(A, [rs(2), rs(3, 0)])], []), [
    '-A -t 10.255.0.1:80 -s wlc', '-a -t 10.255.0.1:80 -r 10.255.0.2:80 -g -w 10', '-a -t 10.255.0.1:80 -r 10.255.0.3:80 -g -w 0',
  ]);
});

t.test('nothing to do when equal, in any server order', async (t) => {
  t.same(lines([svc(A, [rs(2), rs(3)])], [svc(A, [rs(3), rs(2)])]), []);
});

t.test('adopting: only what differs, never a delete and re-add of the service', async (t) => {
  t.same(lines([svc(A, [rs(2), rs(3, 0), rs(5)])], [svc(A, [rs(2), rs(3), rs(4)])]), [
    '-a -t 10.255.0.1:80 -r 10.255.0.5:80 -g -w 10',
    '-e -t 10.255.0.1:80 -r 10.255.0.3:80 -g -w 0 -x 0 -y 0',
    '-d -t 10.255.0.1:80 -r 10.255.0.4:80',
  ]);
});

t.test('service attribute changes are one -E', async (t) => {
  t.same(lines([svc(A, [], { scheduler: 'rr', persistence: { timeout: 60 } })], [svc(A, [])]), ['-E -t 10.255.0.1:80 -s rr -p 60']);
  t.same(lines([svc(A, [], { flags: ['b', 'a'] })], [svc(A, [], { flags: ['a', 'b'] })]), [], 'flag order is not a difference');
  t.same(lines([svc(A, [], { persistence: { timeout: 60, netmask: '255.255.255.255' } })], [svc(A, [], { persistence: { timeout: 60 } })]), [],
    'the host netmask is the default');
});

t.test('services not owned are never touched; owned ones absent from desired are deleted first', async (t) => {
  const actual = [svc(F, [rs(9)]), svc(A, [rs(2)])];
  t.same(lines([], actual), [], 'nothing owned, nothing deleted');
  t.same(lines([svc(A, [rs(2)])], actual), [], 'the foreign service stays');
  const B: ServiceKey = { ...A, port: 81 };
  t.same(lines([svc(B, [])], actual, ownedIds([{ key: A }])), ['-D -t 10.255.0.1:80', '-A -t 10.255.0.1:81 -s wlc']);
});

t.test('unmodelled options on an owned server: the server is replaced', async (t) => {
  const odd = { ...rs(2), forwarding: 'tunnel' as const, extra: ['--tun-type', 'gue', '--tun-port', '6080'] };
  t.same(lines([svc(A, [{ ...rs(2), forwarding: 'tunnel' }])], [svc(A, [odd])]), [
    '-d -t 10.255.0.1:80 -r 10.255.0.2:80', '-a -t 10.255.0.1:80 -r 10.255.0.2:80 -i -w 10',
  ]);
});

// property: applying the plan gives exactly desired for owned services, and leaves the rest alone
const server = fc.record({ n: fc.integer({ min: 1, max: 6 }), weight: fc.integer({ min: 0, max: 3 }), fwd: fc.constantFrom('route', 'masq', 'tunnel' as const) })
  .map(({ n, weight, fwd }) => realServer({ address: `10.255.1.${n}`, port: 80, weight, forwarding: fwd }));
const service = fc.record({
  port: fc.integer({ min: 1, max: 4 }),
  scheduler: fc.constantFrom('rr' as const, 'wlc' as const, 'sh' as const),
  servers: fc.uniqueArray(server, { selector: (r) => r.address, maxLength: 5 }),
}).map(({ port, scheduler, servers }) => svc({ protocol: 'tcp', address: '10.255.0.1', port }, servers, { scheduler }));
const table = fc.uniqueArray(service, { selector: (s) => serviceId(s.key), maxLength: 4 });
const canon = (tb: IpvsTable): string[] =>
  tb.map((s) => JSON.stringify({ ...s, realServers: [...s.realServers].sort((a, b) => a.address.localeCompare(b.address)) })).sort();

t.test('plan then apply reaches desired, touches nothing unowned, and is then empty', async (t) => {
  fc.assert(fc.property(table, table, fc.array(fc.integer({ min: 1, max: 4 })), (desired, actual, ownedPorts) => {
    const owned = new Set(ownedPorts.map((port) => serviceId({ ...A, port })));
    const after = applyCommands(actual, plan(desired, actual, owned));
    const mine = new Set([...owned, ...desired.map((s) => serviceId(s.key))]);
    const foreignBefore = actual.filter((s) => !mine.has(serviceId(s.key)));
    const foreignAfter = after.filter((s) => !mine.has(serviceId(s.key)));
    const ownedAfter = after.filter((s) => mine.has(serviceId(s.key)));
    return JSON.stringify(canon(ownedAfter)) === JSON.stringify(canon(desired.map(normalizeService)))
      && JSON.stringify(canon(foreignAfter)) === JSON.stringify(canon(foreignBefore))
      && plan(desired, after, owned).length === 0;
  }), { numRuns: 500 });
  t.pass('500 random tables');
});

t.test('direct routing and tunnel servers take the service port, as ipvsadm does', async (t) => {
  const odd = realServer({ address: '10.255.0.2', port: 8080 });
  t.same(lines([svc(A, [odd])], []), ['-A -t 10.255.0.1:80 -s wlc', '-a -t 10.255.0.1:80 -r 10.255.0.2:80 -g -w 1']);
  t.same(lines([svc(A, [odd])], [svc(A, [realServer({ address: '10.255.0.2', port: 80 })])]), [], 'already there');
  const masq = realServer({ address: '10.255.0.2', port: 8080, forwarding: 'masq' });
  t.same(lines([svc(A, [odd])], [svc(A, [masq])]), ['-a -t 10.255.0.1:80 -r 10.255.0.2:80 -g -w 1', '-d -t 10.255.0.1:80 -r 10.255.0.2:8080'],
    'masq on another port to routing: a new destination');
});

t.test('scheduler flags by either name, -o and IPIP servers read back from -Sn plan nothing (issue 12)', async (t) => {
  const U: ServiceKey = { protocol: 'udp', address: '10.255.0.1', port: 53 };
  const tun = (n: number): RealServer => realServer({ address: `10.255.0.${n}`, port: 53, weight: 10, forwarding: 'tunnel' });
  const desired = [
    svc(A, [realServer({ address: '10.255.0.2', port: 80, weight: 10, forwarding: 'tunnel' })], { scheduler: 'mh', flags: ['flag-2', 'flag-1'] }),
    svc(U, [tun(3)], { scheduler: 'sh', flags: ['sh-port'], ops: true }),
  ];
  const kernel = parseSave('-A -t 10.255.0.1:80 -s mh -b mh-fallback,mh-port\n-a -t 10.255.0.1:80 -r 10.255.0.2:80 -i -w 10 --tun-type ipip\n'
    + '-A -u 10.255.0.1:53 -s sh -o -b sh-port\n-a -u 10.255.0.1:53 -r 10.255.0.3:53 -i -w 10 --tun-type ipip\n');
  t.same(lines(desired, kernel), []);
  t.same(normalizeService(desired[0]!).flags, ['mh-fallback', 'mh-port'], 'flag-1/flag-2 of mh by the names ipvsadm prints');
  t.same(lines(desired, parseSave('-A -t 10.255.0.1:80 -s mh\n-a -t 10.255.0.1:80 -r 10.255.0.2:80 -g -w 10\n'
    + '-A -u 10.255.0.1:53 -s sh\n-a -u 10.255.0.1:53 -r 10.255.0.3:53 -i -w 10\n')), [
    '-E -t 10.255.0.1:80 -s mh -b mh-fallback,mh-port',
    '-e -t 10.255.0.1:80 -r 10.255.0.2:80 -i -w 10 -x 0 -y 0',
    '-E -u 10.255.0.1:53 -s sh -o -b sh-port',
  ]);
});
