import t from 'tap';
import { connectionsPerService, directorList, renderDirectorList, type InstanceReading } from './director-list.js';

const vip = (prefix: string, announcedTo: string[], services: string[], bgp = 'enabled') =>
  ({ prefix, announced: announcedTo.length > 0, bgp, announcedTo, services: services.map((name) => ({ name })) });
const CPS = (service: string, server: string, v: number) => `vipd_realserver_connections_per_second{server="${server}",service="${service}"} ${v}`;

t.test('connections/s: summed per service; absent family → null (unknown), never 0', async (t) => {
  t.equal(connectionsPerService(undefined), null);
  t.equal(connectionsPerService('# TYPE vipd_realserver_connections_per_second gauge\nvipd_up 1\n'), null);
  const m = connectionsPerService(['# HELP x', CPS('web', '10.0.0.1', 2.5), CPS('web', '10.0.0.2', 1), CPS('a\\"b', '10.0.0.3', 0), 'vipd_realserver_connections_per_second_other{service="web"} 9'].join('\n'));
  t.same([...m!], [['web', 3.5], ['a"b', 0]]);
});

t.test('the director list: who announces, who receives traffic, who is unreachable', async (t) => {
  const readings: InstanceReading[] = [
    { name: 'lvs1', url: 'http://a/', vips: [vip('10.2.1.1/32', ['10.0.0.254'], ['web']), vip('10.2.1.2/32', [], ['api'])],
      metrics: [CPS('web', '10.0.0.1', 12), CPS('api', '10.0.0.1', 0)].join('\n') },
    { name: 'lvs2', url: 'http://b/', vips: [vip('10.2.1.1/32', ['10.0.0.254'], ['web'])], metrics: CPS('web', '10.0.0.1', 0) },
    { name: 'lvs3', url: 'http://c/', vips: [vip('10.2.1.1/32', ['r1', 'r2'], ['web'])], metrics: 'vipd_up 1\n' },
    { name: 'lvs4', url: 'http://d/', vips: [vip('10.2.1.1/32', [], ['web'], 'disabled')], metrics: '' },
    { name: 'lvs5', url: 'http://e/', error: 'connect ECONNREFUSED' },
  ];
  const rows = directorList(readings);
  t.same(rows.map((r) => r.vip), ['10.2.1.1/32', '10.2.1.2/32']);
  const cells = rows[0]!.balancers.map((c) => `${c.balancer} ${c.announced} ${c.traffic} ${c.connectionsPerSecond} ${c.serving}`);
  t.same(cells, [
    'lvs1 yes yes 12 true', // the one that really serves it
    'lvs2 yes no 0 false', // "pretends to serve": announced, no traffic
    'lvs3 yes unknown null false', // a vipd without the counters metric
    'lvs4 bgp-off unknown null false',
    'lvs5 unreachable unknown null false',
  ]);
  t.match(rows[1]!.balancers[1], { balancer: 'lvs2', announced: 'no' }, 'a VIP a balancer does not have: not announced there');
  const text = renderDirectorList(rows, readings);
  t.match(text, /^VIP\s+BALANCER\s+ANNOUNCED\s+PEERS\s+TRAFFIC\s+SERVES\n/);
  t.match(text, /10\.2\.1\.1\/32\s+lvs1\s+yes\s+10\.0\.0\.254\s+yes \(12\/s\)\s+YES\n/);
  t.match(text, /10\.2\.1\.1\/32\s+lvs2\s+yes\s+10\.0\.0\.254\s+no \(0\/s\)\s+-\n/);
  t.match(text, /10\.2\.1\.1\/32\s+lvs3\s+yes\s+r1,r2\s+unknown\s+\?\n/);
  t.match(text, /lvs5 \(http:\/\/e\/\): unreachable: connect ECONNREFUSED\n$/);
  t.notMatch(text, /10\.2\.1\.1\/32\s+lvs5/, 'an unreachable balancer has no rows, only its line');
});
