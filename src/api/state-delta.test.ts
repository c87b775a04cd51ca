import t from 'tap';
import type { MonitorStatus, PoolStatus, ServerStatus } from '../coordinator/status.js';
import { SentLists } from './state-delta.js';

const mon = (name: string): MonitorStatus => ({ name, up: true, reason: '', since: 0, durationMs: 1, upTransitions: 1, downTransitions: 0, upResults: 1, downResults: 0 }) as MonitorStatus;
const server = (host: string, o: Partial<ServerStatus> = {}): ServerStatus => ({
  host, ip: `10.255.0.${host.length}`, port: 80, weight: 10, enabled: true, ready: true, up: true, partiallyUp: true,
  pooled: true, pooledDown: false, monitors: [mon('ProxyFetch')], ...o,
});
const pool = (servers: ServerStatus[]): PoolStatus => ({ name: 'web', servers } as unknown as PoolStatus);

t.test('states go by position only while the worker has the same list: host, address, port and monitor names', async (t) => {
  const base = (): ServerStatus[] => [server('a'), server('bb', { monitors: [mon('ProxyFetch'), mon('IdleConnection')] }), server('ccc', { monitors: [] })];
  const sent = new SentLists();
  t.equal(sent.compactable(pool(base())), false, 'the first reading: the worker has no list');
  t.equal(sent.compactable(pool(base())), true, 'the same list (new objects, equal strings)');
  const changed: [string, (s: ServerStatus[]) => void][] = [
    ['a host', (s) => { s[0] = server('x'); }],
    ['an address', (s) => { s[0]!.ip = '10.255.0.9'; }],
    ['an unresolved address', (s) => { s[0]!.ip = null; }],
    ['a port', (s) => { s[2]!.port = 8080; }],
    ["a monitor's name", (s) => { s[1]!.monitors = [mon('ProxyFetch'), mon('RunCommand')]; }],
    ['a monitor more', (s) => { s[0]!.monitors = [mon('ProxyFetch'), mon('IdleConnection')]; }],
    ['a monitor less', (s) => { s[1]!.monitors = [mon('ProxyFetch')]; }],
    ['the first monitor where there were none', (s) => { s[2]!.monitors = [mon('ProxyFetch')]; }],
    ['a server more', (s) => { s.push(server('d')); }],
    ['the order', (s) => { s.reverse(); }],
  ];
  for (const [what, edit] of changed) {
    const list = base();
    edit(list);
    t.equal(sent.compactable(pool(list)), false, `${what} changed: sent whole`);
    t.equal(sent.compactable(pool(list)), true, `${what}: the list sent is the one remembered`);
    t.equal(sent.compactable(pool(base())), false, `${what}: and back`);
    sent.compactable(pool(base()));
  }
  t.equal(sent.compactable(pool(base())), true);
  t.equal(sent.compactable({ ...pool(base()), servers: [server('a'), server('bb', { weight: 0, pooled: false, up: false, monitors: [mon('ProxyFetch'), mon('IdleConnection')] }), server('ccc', { monitors: [] })] }),
    true, 'states, weights and counters are not the list');
});

t.test('a pool sent in pieces: hosts by position, and pieces replaced in place', async (t) => {
  const sent = new SentLists();
  sent.begin('web');
  sent.append('web', [server('a'), server('bb')]);
  sent.append('web', [server('ccc')]);
  t.equal(sent.sameHosts('web', ['a', 'bb', 'ccc']), true);
  t.equal(sent.sameHosts('web', ['a', 'bb']), false, 'fewer');
  t.equal(sent.sameHosts('web', ['a', 'ccc', 'bb']), false, 'another order');
  t.equal(sent.sameHosts('api', ['a']), false, 'another service');
  sent.replaceAt('web', 1, [server('bb', { ip: '10.255.1.1', monitors: [mon('ProxyFetch'), mon('RunCommand')] })]);
  t.equal(sent.compactable(pool([server('a'), server('bb', { ip: '10.255.1.1', monitors: [mon('ProxyFetch'), mon('RunCommand')] }), server('ccc')])), true,
    'the piece replaced in place is what the worker has');
  sent.forget('web');
  t.equal(sent.sameHosts('web', ['a', 'bb', 'ccc']), false, 'forgotten');
});
