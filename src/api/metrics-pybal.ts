/**
 * PyBal 1.15's metric families (namespace `pybal`): the names, HELP texts, label names and label
 * values its own code sets (coordinator.py, monitor.py, monitors/*.py, bgp/bgp.py, bgpfailover.py;
 * PYBAL.md §3, §4.6, §5.4, §6.2), so dashboards and the cookbooks read vipd as they read PyBal.
 */
import type { CheckMetricsStatus } from '../health/index.js';
import type { Family, Sample } from './prom-text.js';
import type { BgpStatus, StatusSnapshot } from './types.js';

type Fam = (name: string, type: Family['type'], help: string) => Sample[];

/** PyBal's stateDescr (bgp/bgp.py), which labels pybal_bgp_session_state_count. */
export const PYBAL_STATE: Record<string, string> = {
  Idle: 'IDLE', Connect: 'CONNECT', Active: 'ACTIVE', OpenSent: 'OPENSENT', OpenConfirm: 'OPENCONFIRM', Established: 'ESTABLISHED',
};

export const isEstablished = (state: string): boolean => state === 'Established' || state === 'ESTABLISHED';

/** Twisted's exception class names, which label the IdleConnection counters (`reason.type.__name__`). */
export function twistedFailedReason(code: string): string {
  // twisted.internet.error.getConnectError's errnoMapping; our own connect timer is Twisted's connect timeout.
  if (code === 'ECONNREFUSED') return 'ConnectionRefusedError';
  if (code === 'ENETUNREACH') return 'NoRouteError';
  if (code === 'ETIMEDOUT') return 'TCPTimedOutError';
  if (code === 'timeout') return 'TimeoutError';
  return 'ConnectError';
}
/** Every unclean loss is Twisted's ConnectionLost (a clean close is ConnectionDone and not counted). */
export const TWISTED_LOST_REASON = 'ConnectionLost';

export function serviceAndMonitorFamilies(st: StatusSnapshot['coordinator'], fam: Fam): void {
  const svc = {
    servers: fam('pybal_service_servers', 'gauge', 'Amount of servers'),
    enabled: fam('pybal_service_servers_enabled', 'gauge', 'Amount of enabled servers'),
    up: fam('pybal_service_servers_up', 'gauge', 'Amount of up servers'),
    pooled: fam('pybal_service_servers_pooled', 'gauge', 'Amount of pooled servers'),
    canDepool: fam('pybal_service_can_depool', 'gauge', 'Can depool more servers'),
    pooledDown: fam('pybal_service_pooled_down_servers', 'gauge', 'Amount of down servers pooled because too many down'),
    couldNot: fam('pybal_service_could_not_depool_total', 'counter', 'Pybal could not depool a server because too many down'),
    threshold: fam('pybal_service_depool_threshold', 'gauge', "Threshold of up servers vs total servers below which pybal can't depool any more"),
  };
  const mon = {
    upT: fam('pybal_monitor_up_transitions_total', 'counter', 'Monitor up transition count'),
    downT: fam('pybal_monitor_down_transitions_total', 'counter', 'Monitor down transition count'),
    upR: fam('pybal_monitor_up_results_total', 'counter', 'Monitor up result count'),
    downR: fam('pybal_monitor_down_results_total', 'counter', 'Monitor down result count'),
    status: fam('pybal_monitor_status', 'gauge', 'Monitor up status'),
  };
  for (const p of st.pools) {
    const labels = { service: p.name };
    svc.servers.push({ labels, value: p.servers.length });
    svc.enabled.push({ labels, value: p.servers.filter((s) => s.enabled).length });
    svc.up.push({ labels, value: p.servers.filter((s) => s.up && s.ready).length });
    svc.pooled.push({ labels, value: p.servers.filter((s) => s.pooled).length });
    svc.canDepool.push({ labels, value: p.canDepool ? 1 : 0 });
    svc.pooledDown.push({ labels, value: p.pooledDown.length });
    svc.couldNot.push({ labels, value: p.couldNotDepoolTotal });
    svc.threshold.push({ labels, value: p.depoolThreshold });
    for (const s of p.servers) {
      for (const m of s.monitors) {
        const ml = { service: p.name, host: s.host, monitor: m.name };
        mon.upT.push({ labels: ml, value: m.upTransitions });
        mon.downT.push({ labels: ml, value: m.downTransitions });
        mon.upR.push({ labels: ml, value: m.upResults });
        mon.downR.push({ labels: ml, value: m.downResults });
        // monitor.py sets the status on a transition only: absent before the first result.
        if (m.up !== null) mon.status.push({ labels: ml, value: m.up ? 1 : 0 });
      }
    }
  }
}

/** ProxyFetch / DNSQuery request and RunCommand run durations, IdleConnection failures and losses. */
export function perMonitorFamilies(checks: CheckMetricsStatus | undefined, fam: Fam): void {
  const proxy = fam('pybal_monitor_proxyfetch_request_duration_seconds', 'gauge', 'HTTP(S) request duration');
  const dns = fam('pybal_monitor_dnsquery_request_duration_seconds', 'gauge', 'DNS query duration');
  const run = fam('pybal_monitor_runcommand_run_duration_seconds', 'gauge', 'Command duration');
  const failed = fam('pybal_monitor_idleconnection_connections_failed_total', 'counter', 'Connections failed to establish');
  const lost = fam('pybal_monitor_idleconnection_connections_lost_total', 'counter', 'Connections lost uncleanly');
  for (const s of checks?.series ?? []) {
    const base = { service: s.service, host: s.host, monitor: s.monitor };
    for (const d of s.durations) {
      const labels = { ...base, result: d.result };
      if (s.monitor === 'ProxyFetch') proxy.push({ labels: { ...labels, url: d.url ?? '' }, value: d.seconds });
      else if (s.monitor === 'DNSQuery') dns.push({ labels, value: d.seconds });
      else if (s.monitor === 'RunCommand') run.push({ labels: { ...labels, exitcode: d.exitcode ?? 'None' }, value: d.seconds });
    }
    if (!s.connections) continue;
    const byReason = (counts: Record<string, number>, name: (code: string) => string): Map<string, number> => {
      const out = new Map<string, number>();
      for (const [code, n] of Object.entries(counts)) out.set(name(code), (out.get(name(code)) ?? 0) + n);
      return out;
    };
    for (const [reason, n] of byReason(s.connections.failed, twistedFailedReason)) failed.push({ labels: { ...base, reason }, value: n });
    for (const [reason, n] of byReason(s.connections.lost, () => TWISTED_LOST_REASON)) lost.push({ labels: { ...base, reason }, value: n });
  }
}

export function bgpFamilies(bgp: BgpStatus, fam: Fam): void {
  const asn = bgp.localAs === null ? '' : String(bgp.localAs);
  fam('pybal_bgp_enabled', 'gauge', 'BGP Enabled').push({ labels: {}, value: bgp.enabled ? 1 : 0 });
  const est = fam('pybal_bgp_session_established', 'gauge', 'BGP session established');
  const stateCount = fam('pybal_bgp_session_state_count', 'gauge', 'Number of sessions in the specified state');
  for (const p of bgp.peers) {
    est.push({ labels: { local_asn: asn, peer: p.peer }, value: isEstablished(p.state) ? 1 : 0 });
    // PyBal's gauge is inc/dec per state, so states a session left read 0.0: every state is listed.
    const current = PYBAL_STATE[p.state] ?? p.state.toUpperCase();
    for (const state of Object.values(PYBAL_STATE)) {
      stateCount.push({
        labels: { local_asn: asn, state, local_ip: p.localIp ?? '', remote_ip: p.peer, side: p.side ?? '' },
        value: state === current ? 1 : 0,
      });
    }
  }
}
