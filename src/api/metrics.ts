/**
 * /metrics: built from the current status on every scrape, so every gauge is current (PyBal's
 * servers_up was not). PyBal's families as PyBal printed them (metrics-pybal.ts), vipd_* for the
 * rest; every value in prometheus_client's float form (`1.0`), one renderer for all (prom-text.ts).
 */
import { CHECK_BUCKETS_S } from '../health/index.js';
import { bgpFamilies, perMonitorFamilies, serviceAndMonitorFamilies } from './metrics-pybal.js';
import { writeServerFamily } from './metrics-lines.js';
import { scheduleFamilies } from './metrics-schedule.js';
import { counterFamilies } from './metrics-counters.js';
import type { LineMemo } from './line-memo.js';
import { floatToGoString, PromWriter, renderFamiliesSliced, type Family, type Sample } from './prom-text.js';
import type { StatusSnapshot } from './types.js';
import { vipReach } from './vip-reach.js';

export function metricsText(src: StatusSnapshot): string {
  return metricsBody(src).toString('utf8');
}

/** The /metrics body's bytes. */
export function metricsBody(src: StatusSnapshot): Buffer {
  const g = metricsSliced(src);
  for (let r = g.next(); ; r = g.next()) if (r.done) return r.value;
}

/**
 * metricsBody in slices: it yields every few hundred servers (the API worker renders between
 * requests). `sizeHint`: the last body's size, so that the body's buffer is allocated once. `memo`
 * (the kept render's, line-memo.ts): per-server families that did not change are copied from the
 * last body it completed; it takes this body when complete.
 */
export function* metricsSliced(src: StatusSnapshot, sizeHint?: number, memo?: LineMemo): Generator<void, Buffer> {
  const st = src.coordinator;
  const bgp = src.bgp;
  const now = src.now;
  const fams: Family[] = [];
  const fam = (name: string, type: Family['type'], help: string): Sample[] => {
    const f: Family = { name, help, type, samples: [] };
    fams.push(f);
    return f.samples;
  };
  const perServer = (name: string, type: Family['type'], help: string, write: (w: PromWriter) => Generator<void, void>): void => {
    fams.push({ name, help, type, samples: [], write });
  };

  memo?.begin(st.pools);
  yield* serviceAndMonitorFamilies(st, fam, perServer, memo);
  perMonitorFamilies(src.checks, perServer);
  bgpFamilies(bgp, fam);
  perServer('vipd_server_pooled', 'gauge', 'Server is in IPVS (1) or not (0)', (w) => writeServerFamily(st.pools, false, w, memo));
  perServer('vipd_server_up', 'gauge', 'All monitors of the server are up (1) or not (0)', (w) => writeServerFamily(st.pools, true, w, memo));
  const hist = fam('vipd_check_duration_seconds', 'histogram', 'Health check duration (timeouts count as the timeout), by service and monitor');
  for (const h of src.checks?.histograms ?? []) {
    const labels = { service: h.service, monitor: h.monitor };
    CHECK_BUCKETS_S.forEach((b, i) => hist.push({ labels: { ...labels, le: floatToGoString(b) }, value: h.buckets[i]!, suffix: '_bucket' }));
    hist.push({ labels: { ...labels, le: '+Inf' }, value: h.count, suffix: '_bucket' });
    hist.push({ labels, value: h.count, suffix: '_count' }, { labels, value: h.sumSeconds, suffix: '_sum' });
  }
  // Issue 16 §5, timeout = auto: the spread of the current learned deadlines, per service and monitor
  // (a gauge per bucket, not a per-server series: 13 series a monitor at 10,000 servers; each server's is in /pools).
  const learned = fam('vipd_check_learned_timeout_servers', 'gauge', 'Servers whose current learned check timeout (timeout = auto) is at most le seconds');
  for (const h of src.checks?.histograms ?? []) {
    if (!h.learned) continue;
    const labels = { service: h.service, monitor: h.monitor };
    CHECK_BUCKETS_S.forEach((b, i) => learned.push({ labels: { ...labels, le: floatToGoString(b) }, value: h.learned!.buckets[i]! }));
    learned.push({ labels: { ...labels, le: '+Inf' }, value: h.learned.count });
  }
  scheduleFamilies(src.schedule, fam);
  counterFamilies(src.counters, fam);

  const uptime = fam('vipd_bgp_session_uptime_seconds', 'gauge', 'Seconds since the session became Established');
  const adv = fam('vipd_bgp_prefixes_advertised', 'gauge', 'Prefixes advertised to the peer');
  const rcv = fam('vipd_bgp_prefixes_received', 'gauge', 'Prefixes received from the peer');
  const refused = fam('vipd_bgp_routes_refused', 'gauge', 'VIPs declared but not announced to the peer: over bgp-max-announce');
  const beyond = fam('vipd_bgp_prefixes_beyond_limit', 'gauge', 'Received prefixes past bgp-max-prefixes, discarded (counted, not kept)');
  const discarded = fam('vipd_bgp_prefixes_discarded_total', 'counter', 'Received prefixes discarded past bgp-max-prefixes since the session came up');
  const bfdUp = fam('vipd_bfd_session_up', 'gauge', 'BFD session with the peer is Up (1) or not (0); absent without bgp-bfd');
  const bfdFlaps = fam('vipd_bfd_session_flaps_total', 'counter', 'BFD Up -> Down failures (not AdminDown) with the peer');
  for (const p of bgp.peers) {
    if (p.bfd) { bfdUp.push({ labels: { peer: p.peer }, value: p.bfd.state === 'Up' ? 1 : 0 }); bfdFlaps.push({ labels: { peer: p.peer }, value: p.bfd.flaps }); }
    if (p.establishedSince !== null) uptime.push({ labels: { peer: p.peer }, value: Math.max(0, (now - p.establishedSince) / 1000) });
    adv.push({ labels: { peer: p.peer }, value: p.prefixesAdvertised });
    rcv.push({ labels: { peer: p.peer }, value: p.prefixesReceived });
    if (p.prefixesRefused) refused.push({ labels: { peer: p.peer }, value: p.prefixesRefused.length });
    if (p.prefixesBeyondLimit !== undefined) beyond.push({ labels: { peer: p.peer }, value: p.prefixesBeyondLimit });
    if (p.prefixesDiscarded !== undefined) discarded.push({ labels: { peer: p.peer }, value: p.prefixesDiscarded });
  }

  const ann = fam('vipd_vip_announced', 'gauge', 'VIP announced (1) or not (0): decided so, and BGP enabled');
  const annPeers = fam('vipd_vip_announced_peers', 'gauge', 'Established peers the VIP is announced to');
  const med = fam('vipd_vip_med', 'gauge', 'MED sent with the VIP');
  for (const v of st.vips) {
    const reach = vipReach(v, bgp);
    ann.push({ labels: { vip: v.prefix }, value: v.announced && reach.bgp === 'enabled' ? 1 : 0 });
    annPeers.push({ labels: { vip: v.prefix }, value: reach.announcedTo.length });
    if (v.med !== null) med.push({ labels: { vip: v.prefix }, value: v.med });
  }

  const ipvs = src.ipvs;
  if (ipvs) {
    fam('vipd_ipvs_applies_total', 'counter', 'IPVS batches applied').push({ labels: { driver: ipvs.driver }, value: ipvs.appliesTotal });
    fam('vipd_ipvs_repairs_total', 'counter', 'IPVS drift repairs').push({ labels: { driver: ipvs.driver }, value: ipvs.repairsTotal });
    fam('vipd_ipvs_errors_total', 'counter', 'IPVS apply errors').push({ labels: { driver: ipvs.driver }, value: ipvs.errorsTotal });
  }
  if (st.overrides) {
    // Issue 15: an override is never silent.
    const ov = fam('vipd_overrides', 'gauge', 'Operator overrides in force, per server and state');
    for (const o of st.overrides.servers) ov.push({ labels: { pool: o.pool, server: o.host, state: o.state }, value: 1 });
    fam('vipd_instance_depooled', 'gauge', '1 while the operator has taken this balancer out of BGP').push({ labels: {}, value: st.overrides.instance ? 1 : 0 });
  }
  const alerts = fam('vipd_alerts', 'gauge', 'Alerts raised by pool sources and config reloads, by level');
  for (const level of ['warning', 'critical'] as const) {
    alerts.push({ labels: { level }, value: st.alerts.filter((a) => a.level === level).length });
  }
  const lag = src.loopLag;
  if (lag) {
    const l = fam('vipd_event_loop_lag_seconds', 'summary',
      'Main event-loop delay beyond its 10 ms sampling timer; quantiles over the last window of at least 10 s');
    l.push({ labels: { quantile: '0.5' }, value: lag.p50 }, { labels: { quantile: '0.99' }, value: lag.p99 },
      { labels: { quantile: '1' }, value: lag.max });
    l.push({ labels: {}, value: lag.sum, suffix: '_sum' }, { labels: {}, value: lag.count, suffix: '_count' });
  }
  if (src.gc) {
    const n = fam('vipd_gc_collections_total', 'counter', "The main thread's garbage collections by kind (minor: young generation; major: full)");
    const t = fam('vipd_gc_pause_seconds_total', 'counter', "Time the main thread's garbage collections held it, by kind");
    for (const kind of ['minor', 'major', 'incremental', 'weakcb'] as const) {
      n.push({ labels: { kind }, value: src.gc[kind].count });
      t.push({ labels: { kind }, value: src.gc[kind].seconds });
    }
  }
  fam('vipd_start_time_seconds', 'gauge', 'Process start time, seconds since the epoch').push({ labels: {}, value: src.startedAt / 1000 });
  // A kept body (metrics-cache.ts) shows a reading up to a few seconds old: rates over these counters divide by this clock, not the scrape's.
  fam('vipd_status_timestamp_seconds', 'gauge', 'When the status these series show was read on the main thread, seconds since the epoch')
    .push({ labels: {}, value: src.now / 1000 });
  const reload = fam('vipd_config_reload_timestamp_seconds', 'gauge',
    'When the configuration was last loaded (result ok: start or SIGHUP) and last rejected (result error, 0 when never), seconds since the epoch');
  if (src.reload) {
    reload.push({ labels: { result: 'ok' }, value: (src.reload.okAt ?? 0) / 1000 }, { labels: { result: 'error' }, value: (src.reload.errorAt ?? 0) / 1000 });
  }
  const body = yield* renderFamiliesSliced(fams, new PromWriter(sizeHint === undefined ? undefined : 1.05 * sizeHint + 4096));
  memo?.commit(body);
  return body;
}
