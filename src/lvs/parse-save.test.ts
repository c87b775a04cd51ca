import { readFileSync, readdirSync } from 'node:fs';
import t from 'tap';
import { renderBatch } from './commands.js';
import { serviceId } from './model.js';
import { IpvsParseError, parseSave } from './parse-save.js';

const dir = 'test/fixtures/ipvsadm';
const read = (name: string): string => readFileSync(`${dir}/${name}`, 'utf8');
const saves = readdirSync(dir).filter((f) => f.endsWith('.sn.txt'));

t.test('every captured -Sn output parses and renders back to the same text', async (t) => {
  t.ok(saves.length >= 2, 'the fixture folder has -Sn captures');
  for (const f of saves) {
    const text = read(f);
    const table = parseSave(text, f);
    const asAdds = table.flatMap((s) => [
      { op: 'add-service' as const, service: s },
      ...s.realServers.map((server) => ({ op: 'add-server' as const, key: s.key, server })),
    ]);
    // the only thing we drop on purpose: the default tunnel type ipvsadm prints after -i
    t.equal(renderBatch(asAdds), text.replace(/ --tun-type ipip/g, ''), f);
  }
});

t.test('the captured table reads as the values the capture script created', async (t) => {
  const table = parseSave(read('table.sn.txt'));
  const byId = new Map(table.map((s) => [serviceId(s.key), s]));
  const web = byId.get('tcp|10.255.0.1|80');
  t.same(web?.realServers.map((r) => [r.address, r.port, r.forwarding, r.weight]), [
    ['10.255.0.2', 80, 'route', 10], ['10.255.0.3', 80, 'route', 0], ['10.255.0.4', 8080, 'masq', 3],
  ]);
  t.same(byId.get('tcp|10.255.0.1|443')?.persistence, { timeout: 300 });
  t.same(byId.get('tcp|10.255.0.1|443')?.realServers[0]?.forwarding, 'tunnel');
  const dns = byId.get('udp|10.255.0.1|53');
  t.same([dns?.scheduler, dns?.ops, dns?.flags], ['sh', true, ['sh-port']]);
  t.same(byId.get('tcp|10.255.0.7|80')?.flags, ['mh-fallback', 'mh-port']);
  t.same(byId.get('udp|10.255.0.8|5060')?.persistence, { timeout: 60, engine: 'sip' });
  const v6 = byId.get('tcp|fd00:255::1|80');
  t.same(v6?.persistence, { timeout: 60, netmask: '64' });
  t.same(v6?.realServers.map((r) => [r.address, r.port, r.weight]), [['fd00:255::10', 80, 2], ['fd00:255::11', 8080, 0]]);
  t.same(byId.get('fwmark|42|inet')?.realServers[0]?.port, 0);
  t.same(byId.get('fwmark|43|inet6')?.realServers[0]?.address, 'fd00:255::20');
  t.equal(table.length, 9);
});

t.test('an empty table is an empty list', async (t) => {
  t.same(parseSave(read('empty.sn.txt')), []);
});

t.test('unmodelled realserver options are kept, not dropped', async (t) => {
  const [s] = parseSave('-A -t 10.0.0.1:80 -s rr\n-a -t 10.0.0.1:80 -r 10.0.0.2:80 -i -w 1 --tun-type gue --tun-port 6080\n');
  t.same(s?.realServers[0]?.extra, ['--tun-type', 'gue', '--tun-port', '6080']);
});

t.test('bad lines name the line and the reason', async (t) => {
  const cases: [string, RegExp][] = [
    ['-A -t 10.0.0.1:80 -s rr\n-X -t 10.0.0.1:80\n', /line 2: expected -A or -a, got '-X'/],
    ['-A -t 10.0.0.1 -s rr\n', /line 1: '10.0.0.1' is not address:port/],
    ['-A -t 10.0.0.1:80 -s nosuch\n', /line 1: unknown scheduler 'nosuch'/],
    ['-a -t 10.0.0.1:80 -r 10.0.0.2:80 -g -w 1\n', /line 1: realserver of a service not listed before it/],
    ['-A -t 10.0.0.1:80 -s rr\n-a -t 10.0.0.1:80 -r 10.0.0.2:80 -w ten\n', /line 2: weight must be a non-negative integer, got 'ten'/],
    ['-A -t [2001:db8::zz]:80 -s rr\n', /line 1: .*not address:port/],
    ['-A -t 10.0.0.1:99999 -s rr\n', /line 1: port 99999/],
    ['-A -t 10.0.0.1:80 -s rr --bogus\n', /line 1: unknown service option '--bogus'/],
  ];
  for (const [text, re] of cases) {
    let err: unknown;
    try { parseSave(text); } catch (e) { err = e; }
    t.ok(err instanceof IpvsParseError, `${text.trim()}: an IpvsParseError`);
    t.match(err instanceof Error ? err.message : '', re, text.trim());
  }
});
