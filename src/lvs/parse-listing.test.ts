import { readFileSync } from 'node:fs';
import t from 'tap';
import { serviceId } from './model.js';
import { parseConnections, parseConnectionsSliced, parseRate, parseStats, parseThresholds } from './parse-listing.js';
import { IpvsParseError, parseSave } from './parse-save.js';

const read = (name: string): string => readFileSync(`test/fixtures/ipvsadm/${name}`, 'utf8');
const savedIds = parseSave(read('table.sn.txt')).map((s) => serviceId(s.key));

t.test('--stats lists the same services as -Sn, with the real traffic counted', async (t) => {
  const rows = parseStats(read('table.stats.txt'));
  t.same(rows.map((r) => serviceId(r.key)), savedIds);
  const http = rows.find((r) => serviceId(r.key) === 'tcp|10.255.0.9|80');
  t.ok(http && http.totals.conns >= 1 && http.totals.inPackets > 20 && http.totals.outBytes > 20 * 100_000,
    '20 responses of 100 kB went through the service');
  for (const r of rows) {
    const sum = r.servers.reduce((n, s) => n + s.values.inPackets, 0);
    t.equal(sum, r.totals.inPackets, `${serviceId(r.key)}: servers add up to the service`);
  }
  t.same(parseStats(read('table.stats-inexact.txt')), rows, 'small counters print the same without --exact');
});

t.test('--rate has the same shape', async (t) => {
  const rows = parseRate(read('table.rate.txt'));
  t.same(rows.map((r) => serviceId(r.key)), savedIds);
  t.same(rows.find((r) => r.key.protocol === 'fwmark' && r.key.family === 'inet6')?.servers.map((s) => s.address), ['fd00:255::20']);
  t.ok(rows.every((r) => r.totals.cps >= 0 && Number.isInteger(r.totals.outBps)));
});

t.test('--thresholds gives what -Sn leaves out', async (t) => {
  const th = parseThresholds(read('table.thresholds.txt'));
  t.same([...th.keys()], savedIds);
  t.same(th.get('tcp|10.255.0.1|80')?.get('10.255.0.4:8080'), { upper: 100, lower: 50 });
  t.same(th.get('tcp|10.255.0.1|80')?.get('10.255.0.2:80'), { upper: 0, lower: 0 });
});

t.test('abbreviated counters (no --exact) are scaled', async (t) => {
  const text = 'IP Virtual Server version 1.2.1 (size=4096)\nProt LocalAddress:Port               Conns   InPkts  OutPkts  InBytes OutBytes\n  -> RemoteAddress:Port\n'
    + 'TCP  10.0.0.1:80                         5  123456K     200M       3G       1T\n';
  t.same(parseStats(text)[0]?.totals, { conns: 5, inPackets: 123_456_000, outPackets: 200e6, inBytes: 3e9, outBytes: 1e12 });
});

t.test('wrong views and broken lines are errors naming the line', async (t) => {
  t.throws(() => parseStats(read('table.rate.txt')), IpvsParseError, 'a --rate listing is not --stats');
  const broken = read('table.stats.txt').replace('  -> 10.255.0.3:80                       0        0', '  -> 10.255.0.3:80                       0');
  t.throws(() => parseStats(broken), /line 6: expected 5 numbers, got 4/);
  t.throws(() => parseStats(read('table.stats.txt').replace('TCP  10.255.0.1:443', 'XYZ  10.255.0.1:443')), /line 8: unknown service line/);
});

t.test('the plain listing (-Ln): weight, ActiveConn, InActConn per realserver, sums per service', async (t) => {
  const rows = parseConnections(read('table.ln.txt'));
  t.same(rows.map((r) => serviceId(r.key)), savedIds);
  const web = rows.find((r) => serviceId(r.key) === 'tcp|10.255.0.1|80');
  t.same(web?.servers.map((s) => [s.address, s.port, s.values.weight]), [['10.255.0.2', 80, 10], ['10.255.0.3', 80, 0], ['10.255.0.4', 8080, 3]]);
  t.same(rows.find((r) => serviceId(r.key) === 'tcp|10.255.0.9|80')?.servers[0]?.values, { weight: 1, active: 0, inactive: 1 });
  t.same(web?.totals, { weight: 13, active: 0, inactive: 0 });
  t.same(await parseConnectionsSliced(read('table.ln.txt')), rows, 'the sliced parse gives the same');
  t.throws(() => parseConnections(read('table.rate.txt')), /expected the Weight ActiveConn InActConn header/);
  t.throws(() => parseConnections(read('table.ln.txt').replace('Masq    3      0          0', 'Masq    3      0')), /line 7: expected 3 numbers, got 2/);
});
