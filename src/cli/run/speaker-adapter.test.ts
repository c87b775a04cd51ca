import t from 'tap';
import type { BgpPeerStatus, BgpStatus, StatusSource } from '../../api/types.js';
import { metricsText } from '../../api/metrics.js';
import { takeSnapshot } from '../../api/snapshot.js';
import { alertsView, bgpView, vipsView } from '../../api/views.js';
import type { CoordinatorStatus } from '../../coordinator/status.js';
import type { VipDecision } from '../../coordinator/vip-policy.js';
import { formatIssue, parseConfig } from '../../config/index.js';
import { silentLogger } from '../../log/logger.js';
import { Speaker } from '../../speaker/index.js';
import { systemClock } from '../../time/clock.js';
import { staticRoutes } from './mapping.js';
import { SpeakerAdapter, withSpeakerTruth } from './speaker-adapter.js';

// Issue 11 §9: with bgp-max-announce = 1 the router got 1 of 3 VIPs while /vips said all 3 were
// announced and /alerts said OK. The status now tells what the speaker did, per peer.

const vip = (n: number): VipDecision => ({
  ip: `10.2.1.${n}`, prefix: `10.2.1.${n}/32`, announced: true, reason: 'web serving', med: 0, degraded: false, policy: 'all-down', services: [],
});
const peer = (address: string, over: Partial<BgpPeerStatus> = {}): BgpPeerStatus => ({
  peer: address, peerAs: 64601, localIp: null, state: 'Established', establishedSince: 0, holdTime: 30, capabilities: [],
  prefixesAdvertised: 1, prefixesReceived: 0, side: 'active', lastNotificationSent: null, lastNotificationReceived: null,
  prefixesRefused: [], inboundLimit: 10_000, prefixesBeyondLimit: 0, prefixesDiscarded: 0, ...over,
});
const coordinator = (): CoordinatorStatus => ({ pools: [], vips: [vip(1), vip(2), vip(3)], alerts: [] });
const source = (bgp: BgpStatus): StatusSource => ({ coordinator: () => withSpeakerTruth(coordinator(), bgp), bgp: () => bgp, startedAt: 0, now: () => 1000 });

t.test('one peer refusing 2 of 3 VIPs: /vips, /alerts and metrics say so', async (t) => {
  const bgp: BgpStatus = { enabled: true, localAs: 64600, peers: [peer('127.0.0.2', { prefixesRefused: ['10.2.1.2/32', '10.2.1.3/32'] })] };
  const src = source(bgp);
  const vips = vipsView(src.coordinator().vips, bgp);
  t.match(vips.text, /^10\.2\.1\.1\/32: announced to 1 of 1 peers, MED 0 \(web serving\)$/m);
  t.match(vips.text, /^10\.2\.1\.2\/32: not announced \(web serving; not announced to 127\.0\.0\.2: over bgp-max-announce\)$/m);
  t.match(vips.json, [{ announced: true }, { announced: false, notAnnouncedTo: [{ peer: '127.0.0.2', reason: 'over bgp-max-announce' }] }, { announced: false }]);
  const alerts = alertsView(src.coordinator());
  t.match(alerts.json, { status: 'warning' });
  t.match(alerts.text, /bgp 127\.0\.0\.2: 2 VIPs not announced to 127\.0\.0\.2: over bgp-max-announce \(10\.2\.1\.2\/32, 10\.2\.1\.3\/32\)/);
  const m = metricsText(takeSnapshot(src, null));
  t.match(m, /^vipd_bgp_routes_refused\{peer="127\.0\.0\.2"\} 2\.0$/m);
  t.match(m, /^vipd_vip_announced\{vip="10\.2\.1\.2\/32"\} 0\.0$/m);
  t.match(m, /^vipd_alerts\{level="warning"\} 1\.0$/m);
  t.match(bgpView(bgp, 1000).text, /2 refused \(over bgp-max-announce\)/);
});

t.test('refused by one of two peers: still announced, the reason names the peer', async (t) => {
  const bgp: BgpStatus = { enabled: true, localAs: 64600, peers: [peer('127.0.0.2', { prefixesRefused: ['10.2.1.3/32'] }), peer('127.0.0.3')] };
  const v = source(bgp).coordinator().vips[2] as VipDecision & { notAnnouncedTo?: unknown };
  t.equal(v.announced, true);
  t.match(v.reason, /not announced to 127\.0\.0\.2: over bgp-max-announce/);
  t.same(v.notAnnouncedTo, [{ peer: '127.0.0.2', reason: 'over bgp-max-announce' }]);
});

t.test('over the inbound limit: a warning naming the peer and the count; metrics', async (t) => {
  const bgp: BgpStatus = { enabled: true, localAs: 64600, peers: [peer('127.0.0.2', { prefixesReceived: 1_000_000, prefixesBeyondLimit: 990_000, prefixesDiscarded: 990_000 })] };
  const src = source(bgp);
  t.match(alertsView(src.coordinator()).text, /^WARNING - bgp 127\.0\.0\.2: 127\.0\.0\.2 sent 1000000 prefixes, over bgp-max-prefixes 10000: 990000 discarded, session kept/);
  t.same(src.coordinator().vips.map((v) => v.announced), [true, true, true], 'VIPs untouched');
  const m = metricsText(takeSnapshot(src, null));
  t.match(m, /^vipd_bgp_prefixes_beyond_limit\{peer="127\.0\.0\.2"\} 990000\.0$/m);
  t.match(m, /^vipd_bgp_prefixes_discarded_total\{peer="127\.0\.0\.2"\} 990000\.0$/m);
});

t.test('nothing refused, nothing over: the status is the coordinator\'s', async (t) => {
  const c = coordinator();
  const out = withSpeakerTruth(c, { enabled: true, localAs: 64600, peers: [peer('127.0.0.2')] });
  t.same(out, c);
  t.match(alertsView(source({ enabled: true, localAs: 64600, peers: [peer('127.0.0.2')] }).coordinator()).json, { status: 'ok' });
});

t.test('advertised_instrumentation_ips are announced whatever the services do (puppet profile::pybal)', async (t) => {
  const r = parseConfig('[global]\nbgp = yes\nbgp-local-asn = 64600\nbgp-peer-address = [ "10.255.0.2" ]\nbgp-nexthop-ipv4 = 10.255.0.1\n'
    + 'bgp-med = 100\nadvertised_instrumentation_ips = ["10.255.10.100"]\n', 'f.conf');
  if (!r.ok) throw new Error(r.errors.map(formatIssue).join('\n'));
  const statics = staticRoutes(r.config.global);
  t.same(statics, [{ prefix: '10.255.10.100/32', nextHop: '10.255.0.1', med: 100, communities: [], largeCommunities: [], asPathPrepend: 0 }]);
  const speaker = new Speaker({ localAs: 64600, routerId: '10.255.0.1', peers: [] }, systemClock, silentLogger);
  const a = new SpeakerAdapter(speaker, silentLogger, statics);
  t.equal(speaker.status().advertised, 1, 'announced from the start, before any service decision');
  const vipRoute = { ...statics[0]!, prefix: '10.255.10.1/32', med: 0 };
  a.setAdvertised([vipRoute]);
  t.equal(speaker.status().advertised, 2);
  a.setAdvertised([]);
  t.equal(speaker.status().advertised, 1, 'every VIP withdrawn: the instrumentation IP stays');
  a.setAlways([]);
  t.equal(speaker.status().advertised, 0, 'a reload without it withdraws it');
  const noHop = parseConfig('[global]\nbgp = yes\nbgp-local-asn = 64600\nbgp-peer-address = 10.255.0.2\nbgp-nexthop-ipv4 = 10.255.0.1\n'
    + 'advertised_instrumentation_ips = ["fd00:255::64"]\n', 'f.conf');
  t.same(noHop.ok ? [] : noHop.errors.map(formatIssue),
    ['f.conf:6: [global] advertised_instrumentation_ips: fd00:255::64 is announced by BGP, but bgp-nexthop-ipv6 is not set']);
});
