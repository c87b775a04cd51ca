import t from 'tap';
import type { CoordinatorStatus } from '../coordinator/status.js';
import { CheckMetrics } from '../health/index.js';
import { metricsText } from './metrics.js';
import { redactInPlace } from './snapshot.js';
import type { BgpPeerStatus, BgpStatus, StatusSnapshot } from './types.js';
import { poolView, vipsView } from './views.js';

const peer = (over: Partial<BgpPeerStatus> = {}): BgpPeerStatus => ({
  peer: '10.255.0.1', peerAs: 64601, localIp: '10.255.0.2', state: 'Established', establishedSince: 0, holdTime: 90, capabilities: [],
  prefixesAdvertised: 1, prefixesReceived: 0, side: 'passive', lastNotificationSent: null, lastNotificationReceived: null, ...over,
});
const coordinator = (): CoordinatorStatus => ({
  pools: [{
    name: 'web', ip: '10.2.1.1', port: 80, protocol: 'tcp', depoolThreshold: 0.5, canDepool: true, delivered: true, firstRoundDone: true,
    pooledDown: [], couldNotDepoolTotal: 0,
    servers: [
      { host: 'a', ip: '10.0.0.1', port: 80, weight: 10, enabled: true, ready: true, up: true, partiallyUp: true, pooled: true, pooledDown: false, monitors: [] },
      {
        host: 'b', ip: '10.0.0.2', port: 80, weight: 10, enabled: true, ready: true, up: false, partiallyUp: true, pooled: false, pooledDown: false,
        monitors: [
          { name: 'ProxyFetch', up: false, reason: 'http://u:pw@x/healthz: HTTP 503\nhttp://x/b: connect ECONNREFUSED', since: 0, durationMs: 1, upTransitions: 0, downTransitions: 1, upResults: 0, downResults: 4 },
          { name: 'IdleConnection', up: true, reason: 'connected', since: 0, durationMs: 0, upTransitions: 1, downTransitions: 0, upResults: 1, downResults: 0 },
        ],
      },
      { host: 'c', ip: null, port: 80, weight: 10, enabled: true, ready: false, up: false, partiallyUp: false, pooled: false, pooledDown: false, monitors: [] },
    ],
  }],
  vips: [{ ip: '10.2.1.1', prefix: '10.2.1.1/32', announced: true, reason: 'web serving', med: 0, degraded: false, policy: 'all-down', services: [] }],
  alerts: [],
});

function snapshot(bgp: BgpStatus): StatusSnapshot {
  const checks = new CheckMetrics();
  checks.record('web', 'a', 'ProxyFetch', { up: true, reason: '', ms: 12.5, requests: [{ url: 'http://x/healthz', up: true, ms: 12.5 }] });
  checks.record('web', 'a', 'RunCommand', { up: false, reason: '', ms: 20000 });
  checks.record('web', 'a', 'DNSQuery', { up: true, reason: '', ms: 3 });
  checks.record('web', 'b', 'IdleConnection', { up: false, reason: '', ms: 0, connections: { failed: { ECONNREFUSED: 2, timeout: 1, EHOSTUNREACH: 1 }, lost: { ECONNRESET: 1, '': 2 } } });
  return {
    coordinator: coordinator(), bgp, ipvs: null, startedAt: 1_733_459_329_500, now: 1_733_459_400_000, loopLag: null,
    checks: checks.status(), reload: { okAt: 1_733_459_390_250, errorAt: null },
  };
}

t.test("PyBal's per-monitor families, names and labels as PyBal 1.15 sets them", async (t) => {
  const m = metricsText(snapshot({ enabled: true, localAs: 64600, peers: [peer()] }));
  t.match(m, '# HELP pybal_monitor_proxyfetch_request_duration_seconds HTTP(S) request duration\n# TYPE pybal_monitor_proxyfetch_request_duration_seconds gauge\n'
    + 'pybal_monitor_proxyfetch_request_duration_seconds{host="a",monitor="ProxyFetch",result="successful",service="web",url="http://x/healthz"} 0.0125\n');
  t.match(m, 'pybal_monitor_runcommand_run_duration_seconds{exitcode="None",host="a",monitor="RunCommand",result="failed",service="web"} 20.0\n');
  t.match(m, 'pybal_monitor_dnsquery_request_duration_seconds{host="a",monitor="DNSQuery",result="successful",service="web"} 0.003\n');
  t.match(m, '# TYPE pybal_monitor_idleconnection_connections_failed_total counter\n'
    + 'pybal_monitor_idleconnection_connections_failed_total{host="b",monitor="IdleConnection",reason="ConnectionRefusedError",service="web"} 2.0\n'
    + 'pybal_monitor_idleconnection_connections_failed_total{host="b",monitor="IdleConnection",reason="TimeoutError",service="web"} 1.0\n'
    + 'pybal_monitor_idleconnection_connections_failed_total{host="b",monitor="IdleConnection",reason="ConnectError",service="web"} 1.0\n');
  t.match(m, 'pybal_monitor_idleconnection_connections_lost_total{host="b",monitor="IdleConnection",reason="ConnectionLost",service="web"} 3.0\n');
  t.match(m, 'vipd_check_duration_seconds_bucket{le="0.005",monitor="DNSQuery",service="web"} 1.0\n');
  t.match(m, 'vipd_check_duration_seconds_bucket{le="+Inf",monitor="RunCommand",service="web"} 1.0\n'
    + 'vipd_check_duration_seconds_count{monitor="RunCommand",service="web"} 1.0\nvipd_check_duration_seconds_sum{monitor="RunCommand",service="web"} 20.0\n');
});

t.test('BGP: the cookbook line, every PyBal state for the session, VIPs by peers reached', async (t) => {
  const up = metricsText(snapshot({ enabled: true, localAs: 64600, peers: [peer()] }));
  t.match(up, /^pybal_bgp_session_established\{local_asn="64600",peer="10\.255\.0\.1"\} 1\.0$/m);
  for (const s of ['IDLE', 'CONNECT', 'ACTIVE', 'OPENSENT', 'OPENCONFIRM']) {
    t.match(up, `pybal_bgp_session_state_count{local_asn="64600",local_ip="10.255.0.2",remote_ip="10.255.0.1",side="passive",state="${s}"} 0.0\n`);
  }
  t.match(up, 'state="ESTABLISHED"} 1.0\n');
  t.match(up, 'vipd_vip_announced_peers{vip="10.2.1.1/32"} 1.0\n');
  const down = metricsText(snapshot({ enabled: true, localAs: 64600, peers: [peer({ state: 'Active', establishedSince: null })] }));
  t.match(down, /^pybal_bgp_session_established\{local_asn="64600",peer="10\.255\.0\.1"\} 0\.0$/m);
  t.match(down, 'state="ACTIVE"} 1.0\n');
  t.match(down, 'vipd_vip_announced{vip="10.2.1.1/32"} 1.0\n', 'decided announced');
  t.match(down, 'vipd_vip_announced_peers{vip="10.2.1.1/32"} 0.0\n', 'but no peer has it');
  const off = metricsText(snapshot({ enabled: false, localAs: null, peers: [] }));
  t.match(off, /^pybal_bgp_enabled 0\.0$/m);
  t.match(off, 'vipd_vip_announced{vip="10.2.1.1/32"} 0.0\n', 'nothing is announced with bgp = no');
});

t.test('vipd_config_reload_timestamp_seconds: ok and error, seconds in the float form', async (t) => {
  const m = metricsText(snapshot({ enabled: false, localAs: null, peers: [] }));
  t.match(m, '# TYPE vipd_config_reload_timestamp_seconds gauge\n'
    + 'vipd_config_reload_timestamp_seconds{result="ok"} 1.73345939025e+09\nvipd_config_reload_timestamp_seconds{result="error"} 0.0\n');
  t.match(m, /^vipd_start_time_seconds 1\.7334593295e\+09$/m);
  t.match(m, /^vipd_status_timestamp_seconds 1\.7334594e\+09$/m, 'when the status shown was read: the snapshot\'s now');
});

t.test('/vips: announced to N of M peers, BGP disabled', async (t) => {
  const vips = coordinator().vips;
  t.equal(vipsView(vips, { enabled: true, localAs: 64600, peers: [peer({ state: 'Connect' })] }).text,
    '10.2.1.1/32: announced to 0 of 1 peers, MED 0 (web serving)\n');
  const two = vipsView(vips, { enabled: true, localAs: 64600, peers: [peer(), peer({ peer: '10.255.0.3', prefixesRefused: ['10.2.1.1/32'] })] });
  t.equal(two.text, '10.2.1.1/32: announced to 1 of 2 peers, MED 0 (web serving)\n', 'a peer over its bgp-max-announce does not count');
  t.match(two.json, [{ bgp: 'enabled', announcedTo: ['10.255.0.1'], peers: 2 }]);
  const off = vipsView(vips, { enabled: false, localAs: null, peers: [] });
  t.equal(off.text, '10.2.1.1/32: BGP disabled\n');
  t.match(off.json, [{ bgp: 'disabled', announcedTo: [], peers: 0 }]);
  const withdrawn = vipsView([{ ...vips[0]!, announced: false, med: null, reason: 'no pooled server is up in any service' }],
    { enabled: true, localAs: 64600, peers: [peer()] });
  t.equal(withdrawn.text, '10.2.1.1/32: not announced (no pooled server is up in any service)\n');
});

t.test('/pools/<pool>: each down server says why, on one line, redacted as the worker serves it', async (t) => {
  const pool = redactInPlace(coordinator()).pools[0]!;
  const v = poolView(pool);
  t.equal(v.text, 'a:\tenabled/up/pooled\n'
    + 'b:\tenabled/partially up/not pooled\t(ProxyFetch: http://***@x/healthz: HTTP 503; http://x/b: connect ECONNREFUSED)\n'
    + 'c:\tenabled/down/not pooled\t(address not resolved)\n');
  t.same((v.json as Record<string, unknown>).b, {
    pooled: false, weight: 10, up: false, enabled: true, reason: 'ProxyFetch: http://***@x/healthz: HTTP 503; http://x/b: connect ECONNREFUSED',
  });
  t.notOk('reason' in ((v.json as Record<string, object>).a ?? {}));
});
