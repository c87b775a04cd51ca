/**
 * Prometheus text exposition (format 0.0.4), built from the current status on every scrape, so
 * every gauge is current (PyBal's servers_up was not). PyBal's names where they exist
 * (PYBAL.md §4.6, §5.4, §6.2), vipd_* for the new ones.
 */
import type { StatusSnapshot } from './types.js';

type Labels = Record<string, string>;
interface Family {
  name: string; help: string; type: 'gauge' | 'counter' | 'summary';
  /** suffix: `_sum` / `_count` of a summary. */
  samples: { labels: Labels; value: number; suffix?: string }[];
}

const escape = (v: string): string => v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');

function render(families: Family[]): string {
  const out: string[] = [];
  for (const f of families) {
    out.push(`# HELP ${f.name} ${f.help}`, `# TYPE ${f.name} ${f.type}`);
    for (const s of f.samples) {
      const l = Object.entries(s.labels).map(([k, v]) => `${k}="${escape(v)}"`).join(',');
      out.push(`${f.name}${s.suffix ?? ''}${l ? `{${l}}` : ''} ${Number.isFinite(s.value) ? s.value : 'NaN'}`);
    }
  }
  return out.join('\n') + '\n';
}

export function metricsText(src: StatusSnapshot): string {
  const st = src.coordinator;
  const bgp = src.bgp;
  const now = src.now;
  const fams: Family[] = [];
  const fam = (name: string, type: Family['type'], help: string): Family['samples'] => {
    const f: Family = { name, help, type, samples: [] };
    fams.push(f);
    return f.samples;
  };

  const svc = {
    servers: fam('pybal_service_servers', 'gauge', 'Amount of servers'),
    enabled: fam('pybal_service_servers_enabled', 'gauge', 'Amount of enabled servers'),
    up: fam('pybal_service_servers_up', 'gauge', 'Amount of up servers'),
    pooled: fam('pybal_service_servers_pooled', 'gauge', 'Amount of pooled servers'),
    canDepool: fam('pybal_service_can_depool', 'gauge', 'Can depool more servers'),
    pooledDown: fam('pybal_service_pooled_down_servers', 'gauge', 'Amount of down servers pooled because too many down'),
    couldNot: fam('pybal_service_could_not_depool_total', 'counter', 'Could not depool a server because too many down'),
    threshold: fam('pybal_service_depool_threshold', 'gauge', "Threshold of up servers vs total servers below which no more servers are depooled"),
  };
  const mon = {
    status: fam('pybal_monitor_status', 'gauge', 'Monitor up status (1 up, 0 down; absent before the first result)'),
    upT: fam('pybal_monitor_up_transitions_total', 'counter', 'Monitor up transitions'),
    downT: fam('pybal_monitor_down_transitions_total', 'counter', 'Monitor down transitions'),
    upR: fam('pybal_monitor_up_results_total', 'counter', 'Monitor up results'),
    downR: fam('pybal_monitor_down_results_total', 'counter', 'Monitor down results'),
  };
  const srvPooled = fam('vipd_server_pooled', 'gauge', 'Server is in IPVS (1) or not (0)');
  const srvUp = fam('vipd_server_up', 'gauge', 'All monitors of the server are up (1) or not (0)');
  for (const p of st.pools) {
    const l = { service: p.name };
    svc.servers.push({ labels: l, value: p.servers.length });
    svc.enabled.push({ labels: l, value: p.servers.filter((s) => s.enabled).length });
    svc.up.push({ labels: l, value: p.servers.filter((s) => s.up && s.ready).length });
    svc.pooled.push({ labels: l, value: p.servers.filter((s) => s.pooled).length });
    svc.canDepool.push({ labels: l, value: p.canDepool ? 1 : 0 });
    svc.pooledDown.push({ labels: l, value: p.pooledDown.length });
    svc.couldNot.push({ labels: l, value: p.couldNotDepoolTotal });
    svc.threshold.push({ labels: l, value: p.depoolThreshold });
    for (const s of p.servers) {
      srvPooled.push({ labels: { service: p.name, host: s.host }, value: s.pooled ? 1 : 0 });
      srvUp.push({ labels: { service: p.name, host: s.host }, value: s.up && s.ready ? 1 : 0 });
      for (const m of s.monitors) {
        const ml = { service: p.name, host: s.host, monitor: m.name };
        if (m.up !== null) mon.status.push({ labels: ml, value: m.up ? 1 : 0 });
        mon.upT.push({ labels: ml, value: m.upTransitions });
        mon.downT.push({ labels: ml, value: m.downTransitions });
        mon.upR.push({ labels: ml, value: m.upResults });
        mon.downR.push({ labels: ml, value: m.downResults });
      }
    }
  }

  const asn = bgp.localAs === null ? '' : String(bgp.localAs);
  fam('pybal_bgp_enabled', 'gauge', 'BGP enabled').push({ labels: {}, value: bgp.enabled ? 1 : 0 });
  const est = fam('pybal_bgp_session_established', 'gauge', 'BGP session established');
  const stateCount = fam('pybal_bgp_session_state_count', 'gauge', 'BGP sessions per FSM state');
  const uptime = fam('vipd_bgp_session_uptime_seconds', 'gauge', 'Seconds since the session became Established');
  const adv = fam('vipd_bgp_prefixes_advertised', 'gauge', 'Prefixes advertised to the peer');
  const rcv = fam('vipd_bgp_prefixes_received', 'gauge', 'Prefixes received from the peer');
  const refused = fam('vipd_bgp_routes_refused', 'gauge', 'VIPs declared but not announced to the peer: over bgp-max-announce');
  const beyond = fam('vipd_bgp_prefixes_beyond_limit', 'gauge', 'Received prefixes past bgp-max-prefixes, discarded (counted, not kept)');
  const discarded = fam('vipd_bgp_prefixes_discarded_total', 'counter', 'Received prefixes discarded past bgp-max-prefixes since the session came up');
  for (const p of bgp.peers) {
    est.push({ labels: { local_asn: asn, peer: p.peer }, value: p.state === 'Established' || p.state === 'ESTABLISHED' ? 1 : 0 });
    stateCount.push({
      labels: { local_asn: asn, state: p.state, local_ip: p.localIp ?? '', remote_ip: p.peer, side: p.side ?? '' }, value: 1,
    });
    if (p.establishedSince !== null) uptime.push({ labels: { peer: p.peer }, value: Math.max(0, (now - p.establishedSince) / 1000) });
    adv.push({ labels: { peer: p.peer }, value: p.prefixesAdvertised });
    rcv.push({ labels: { peer: p.peer }, value: p.prefixesReceived });
    if (p.prefixesRefused) refused.push({ labels: { peer: p.peer }, value: p.prefixesRefused.length });
    if (p.prefixesBeyondLimit !== undefined) beyond.push({ labels: { peer: p.peer }, value: p.prefixesBeyondLimit });
    if (p.prefixesDiscarded !== undefined) discarded.push({ labels: { peer: p.peer }, value: p.prefixesDiscarded });
  }

  const ann = fam('vipd_vip_announced', 'gauge', 'VIP announced to the BGP peers (1) or not (0)');
  const med = fam('vipd_vip_med', 'gauge', 'MED sent with the VIP');
  for (const v of st.vips) {
    ann.push({ labels: { vip: v.prefix }, value: v.announced ? 1 : 0 });
    if (v.med !== null) med.push({ labels: { vip: v.prefix }, value: v.med });
  }

  const ipvs = src.ipvs;
  if (ipvs) {
    fam('vipd_ipvs_applies_total', 'counter', 'IPVS batches applied').push({ labels: { driver: ipvs.driver }, value: ipvs.appliesTotal });
    fam('vipd_ipvs_repairs_total', 'counter', 'IPVS drift repairs').push({ labels: { driver: ipvs.driver }, value: ipvs.repairsTotal });
    fam('vipd_ipvs_errors_total', 'counter', 'IPVS apply errors').push({ labels: { driver: ipvs.driver }, value: ipvs.errorsTotal });
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
  fam('vipd_start_time_seconds', 'gauge', 'Process start time, seconds since the epoch').push({ labels: {}, value: src.startedAt / 1000 });
  return render(fams.filter((f) => f.samples.length > 0));
}
