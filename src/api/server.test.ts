import t from 'tap';
import { FakeClock } from '../../test/support/fake-clock.js';
import { silentLogger } from '../log/logger.js';
import { Coordinator } from '../coordinator/coordinator.js';
import type { ServiceSpec } from '../coordinator/types.js';
import { startApiServer } from './server.js';
import type { BgpStatus, StatusSource } from './types.js';

const web: ServiceSpec = {
  name: 'web', ip: '10.2.1.1', port: 80, protocol: 'tcp', depoolThreshold: 0.5, monitors: ['ProxyFetch'], bgp: true,
};

async function fixture() {
  const clock = new FakeClock();
  const c = new Coordinator({
    clock, log: silentLogger, resolver: async () => [],
    health: { start: () => {}, stop: () => {} }, ipvs: { applyChanges: () => {} }, speaker: { setAdvertised: () => {} },
  });
  c.configure([web, { ...web, name: 'web6', ip: '2001:db8::1' }], {
    nextHopV4: '192.0.2.10', med: 10, withdrawPolicy: 'all-down', communities: [], largeCommunities: [], asPathPrepend: 0,
  });
  await c.updatePool('web', ['10.0.0.1', '10.0.0.2', '10.0.0.3'].map((host) => ({ host, weight: 10, enabled: true })));
  await c.updatePool('web6', [{ host: '2001:db8::5', weight: 10, enabled: true }]);
  const r = (host: string, up: boolean) => c.monitorResult('web', host, 'ProxyFetch', { up, reason: up ? 'ok' : 'Connection refused' });
  r('10.0.0.1', true);
  r('10.0.0.2', false);
  r('10.0.0.3', false);
  const bgp: BgpStatus = {
    enabled: true, localAs: 64600,
    peers: [{
      peer: '127.0.0.2', peerAs: 64601, localIp: '127.0.0.1', state: 'Established', establishedSince: clock.wallNow() - 65_000,
      holdTime: 30, capabilities: ['multiprotocol ipv4/unicast', 'four-octet-as'], prefixesAdvertised: 1, prefixesReceived: 0,
      side: 'active', lastNotificationSent: null,
      lastNotificationReceived: { code: 6, subcode: 2, name: 'Cease/Administrative Shutdown', message: 'maintenance', at: 0 },
    }],
  };
  const source: StatusSource = { coordinator: () => c.status(), bgp: () => bgp, startedAt: clock.wallNow(), now: () => clock.wallNow() };
  const api = await startApiServer({ source, hosts: ['127.0.0.1'], port: 0, log: silentLogger });
  const base = `http://${api.addresses[0]}`;
  const get = async (path: string, accept?: string) => {
    const res = await fetch(base + path, accept ? { headers: { accept } } : {});
    return { status: res.status, type: res.headers.get('content-type') ?? '', body: await res.text() };
  };
  return { c, api, get };
}

t.test('PyBal endpoints in text and JSON form', async (t) => {
  const { api, get } = await fixture();
  t.teardown(() => api.close());
  t.same(await get('/pools'), { status: 200, type: 'text/plain; charset=utf-8', body: 'web\nweb6\n' });
  const pj = await get('/pools', 'application/json');
  t.equal(pj.type, 'application/json');
  t.same(JSON.parse(pj.body), ['web', 'web6']);
  t.equal((await get('/pools/web')).body, '10.0.0.1:\tenabled/up/pooled\n'
    + '10.0.0.2:\tenabled/down/not pooled\t(ProxyFetch: Connection refused)\n10.0.0.3:\tenabled/down/pooled\t(ProxyFetch: Connection refused)\n',
  'a down server says why after a tab');
  t.same(JSON.parse((await get('/pools/web', 'text/plain, application/json;q=0.9')).body)['10.0.0.3'],
    { pooled: true, weight: 10, up: false, enabled: true, reason: 'ProxyFetch: Connection refused' }, 'JSON when Accept merely includes application/json');
  t.same(JSON.parse((await get('/pools/web', 'application/json')).body)['10.0.0.1'], { pooled: true, weight: 10, up: true, enabled: true },
    'no reason key on an up server');
  t.equal((await get('/pools/web/10.0.0.2')).body, 'enabled/down/not pooled\n', "one host: PyBal's exact text (puppet splits it on '/')");
  t.same(JSON.parse((await get('/pools/web/10.0.0.2', 'application/json')).body), { pooled: false, weight: 10, up: false, enabled: true });
  t.same(JSON.parse((await get('/pools/web6/2001:db8::5', 'application/json')).body),
    { pooled: true, weight: 10, up: true, enabled: true }, 'IPv6 host in the path');
  t.same(await get('/alerts'), {
    status: 200, type: 'text/plain; charset=utf-8', body: 'CRITICAL - web: Servers 10.0.0.3 are marked down but pooled',
  });
  t.same(JSON.parse((await get('/alerts', 'application/json')).body),
    { status: 'critical', msg: 'web: Servers 10.0.0.3 are marked down but pooled' });
});

t.test('404 form for unknown paths, pools and hosts', async (t) => {
  const { api, get } = await fixture();
  t.teardown(() => api.close());
  for (const p of ['/nope', '/pools/none', '/pools/web/10.9.9.9', '/pools/web/10.0.0.1/x', '/']) {
    const r = await get(p);
    t.same([r.status, r.body], [404, 'The desired url was not found'], p);
  }
  t.same(JSON.parse((await get('/nope', 'application/json')).body), { error: 'The desired url was not found' });
  t.equal((await get('/pools/%E0%A4%A')).status, 404, 'a malformed escape is a 404, not a crash');
  const post = await fetch(`http://${api.addresses[0]}/pools`, { method: 'POST' });
  t.equal(post.status, 405);
});

t.test('/vips and /bgp say what is announced and why', async (t) => {
  const { api, get } = await fixture();
  t.teardown(() => api.close());
  const vips = (await get('/vips')).body;
  t.match(vips, /^10\.2\.1\.1\/32: announced to 1 of 1 peers, MED 10 \(web serving; below depool threshold: web\) — web 1\/3 up, 2 pooled$/m);
  t.match(vips, /^2001:db8::1\/128: not announced \(no next hop for IPv6 \(bgp-nexthop-ipv6\)\)/m);
  const vj = JSON.parse((await get('/vips', 'application/json')).body);
  t.same(vj.map((v: { prefix: string; announced: boolean }) => [v.prefix, v.announced]), [['10.2.1.1/32', true], ['2001:db8::1/128', false]]);
  t.match(vj[0], { bgp: 'enabled', announcedTo: ['127.0.0.2'], peers: 1 });
  const bgp = (await get('/bgp')).body;
  t.equal(bgp, '127.0.0.2 AS64601: Established, up 1m5s, hold 30s, 1 advertised, 0 received, '
    + 'capabilities multiprotocol ipv4/unicast four-octet-as, last notification received 6/2 Cease/Administrative Shutdown "maintenance"\n');
  const bj = JSON.parse((await get('/bgp', 'application/json')).body);
  t.equal(bj.peers[0].uptimeSeconds, 65);
  t.equal(bj.peers[0].holdTime, 30);
});

t.test('/metrics: PyBal names, labels and prometheus_client number form, current values', async (t) => {
  const { c, api, get } = await fixture();
  t.teardown(() => api.close());
  const m = await get('/metrics');
  t.match(m.type, /^text\/plain; version=0\.0\.4/);
  const line = (name: string) => m.body.split('\n').find((l) => l.startsWith(name + ' ') || l.startsWith(name + '{'));
  t.equal(line('pybal_service_servers{service="web"}'), 'pybal_service_servers{service="web"} 3.0');
  t.equal(line('pybal_service_servers_up{service="web"}'), 'pybal_service_servers_up{service="web"} 1.0');
  t.equal(line('pybal_service_servers_pooled{service="web"}'), 'pybal_service_servers_pooled{service="web"} 2.0');
  t.equal(line('pybal_service_pooled_down_servers{service="web"}'), 'pybal_service_pooled_down_servers{service="web"} 1.0');
  t.equal(line('pybal_service_could_not_depool_total{service="web"}'), 'pybal_service_could_not_depool_total{service="web"} 1.0');
  t.equal(line('pybal_service_depool_threshold{service="web"}'), 'pybal_service_depool_threshold{service="web"} 0.5');
  t.equal(line('pybal_monitor_status{host="10.0.0.2",monitor="ProxyFetch",service="web"}'),
    'pybal_monitor_status{host="10.0.0.2",monitor="ProxyFetch",service="web"} 0.0', 'labels sorted by name, as prometheus_client');
  t.equal(line('pybal_bgp_session_established{local_asn="64600",peer="127.0.0.2"}'),
    'pybal_bgp_session_established{local_asn="64600",peer="127.0.0.2"} 1.0');
  t.equal(line('pybal_bgp_enabled'), 'pybal_bgp_enabled 1.0');
  t.match(m.body, /^pybal_bgp_session_state_count\{local_asn="64600",local_ip="127\.0\.0\.1",remote_ip="127\.0\.0\.2",side="active",state="ESTABLISHED"\} 1\.0$/m);
  t.match(m.body, /^pybal_bgp_session_state_count\{local_asn="64600",local_ip="127\.0\.0\.1",remote_ip="127\.0\.0\.2",side="active",state="IDLE"\} 0\.0$/m);
  t.equal(line('vipd_vip_announced{vip="10.2.1.1/32"}'), 'vipd_vip_announced{vip="10.2.1.1/32"} 1.0');
  t.equal(line('vipd_vip_announced_peers{vip="10.2.1.1/32"}'), 'vipd_vip_announced_peers{vip="10.2.1.1/32"} 1.0');
  t.match(m.body, /^# HELP pybal_service_could_not_depool_total Pybal could not depool a server because too many down$/m);
  t.match(m.body, /^# TYPE pybal_service_could_not_depool_total counter$/m);
  t.match(m.body, /^# HELP pybal_monitor_status Monitor up status$/m);
  t.match(m.body, /^# HELP pybal_bgp_session_state_count Number of sessions in the specified state$/m);
  t.match(m.body, /^vipd_start_time_seconds \d\.\d+e\+09$/m, 'large values in prometheus_client\'s Go-like exponent form');
  t.notMatch(m.body, /^[a-z_]+(\{[^}]*\})? -?\d+$/m, 'no value printed as a bare integer');
  c.monitorResult('web', '10.0.0.2', 'ProxyFetch', { up: true, reason: 'ok' });
  for (const up of [true, true, false]) c.countResult('web', '10.0.0.2', 'ProxyFetch', up);
  const again = (await get('/metrics')).body;
  t.match(again, /^pybal_monitor_up_results_total\{host="10\.0\.0\.2",monitor="ProxyFetch",service="web"\} 2\.0$/m);
  t.match(again, /^pybal_monitor_down_results_total\{host="10\.0\.0\.2",monitor="ProxyFetch",service="web"\} 1\.0$/m);
  t.match(again, /^pybal_service_servers_up\{service="web"\} 2\.0$/m, 'servers_up follows every result, not only config changes');
  t.match(again, /^pybal_monitor_up_transitions_total\{host="10.0.0.2",monitor="ProxyFetch",service="web"\} 1\.0$/m);
});

t.test('a partial bind is fatal, but ::1 on a host without IPv6', async (t) => {
  const f = (host: string, code: string) => ({ host, code, message: `instrumentation: cannot listen on ${host}: ${code}` });
  const { bindFailuresFatal } = await import('./server.js');
  t.same(bindFailuresFatal(1, [f('127.0.0.1', 'EADDRINUSE')]).map((x) => x.host), ['127.0.0.1'], 'another process has one address');
  t.same(bindFailuresFatal(1, [f('::1', 'EADDRINUSE')]).map((x) => x.host), ['::1']);
  t.same(bindFailuresFatal(1, [f('::1', 'EADDRNOTAVAIL')]), [], 'no IPv6 here: nobody can hold ::1');
  t.same(bindFailuresFatal(1, [f('::1', 'EAFNOSUPPORT')]), []);
  t.same(bindFailuresFatal(1, [f('10.9.9.9', 'EADDRNOTAVAIL')]).length, 1, 'an explicit address this host lacks is fatal');
  t.same(bindFailuresFatal(0, [f('::1', 'EADDRNOTAVAIL')]).length, 1, 'nothing bound at all');
});
