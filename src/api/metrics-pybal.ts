/**
 * PyBal 1.15's metric families (namespace `pybal`): the names, HELP texts, label names and label
 * values its own code sets (coordinator.py, monitor.py, monitors/*.py, bgp/bgp.py, bgpfailover.py;
 * PYBAL.md §3, §4.6, §5.4, §6.2), so dashboards and the cookbooks read vipd as they read PyBal.
 */
import type { CheckMetricsStatus, CheckSeries } from '../health/index.js';
import type { LineMemo } from './line-memo.js';
import { MONITOR_FAMILIES, SLICE, cachedLabels, writeMonitorFamily } from './metrics-lines.js';
import { seriesName, type Family, type PromWriter, type Sample } from './prom-text.js';
import type { BgpStatus, StatusSnapshot } from './types.js';

type Fam = (name: string, type: Family['type'], help: string) => Sample[];
/** A family whose samples are written per server into the body (metrics-lines.ts). */
export type PerServer = (name: string, type: Family['type'], help: string, write: (w: PromWriter) => Generator<void, void>) => void;

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

export function* serviceAndMonitorFamilies(st: StatusSnapshot['coordinator'], fam: Fam, perServer: PerServer, memo?: LineMemo): Generator<void, void> {
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
  MONITOR_FAMILIES.forEach(([name, type, help], i) => perServer(name, type, help, (w) => writeMonitorFamily(st.pools, i, w, memo)));
  for (const p of st.pools) {
    const labels = { service: p.name };
    let enabled = 0, up = 0, pooled = 0;
    let i = 0;
    for (const s of p.servers) {
      if (++i % SLICE === 0) yield;
      if (s.enabled) enabled++;
      if (s.up && s.ready) up++;
      if (s.pooled) pooled++;
    }
    svc.servers.push({ labels, value: p.servers.length });
    svc.enabled.push({ labels, value: enabled });
    svc.up.push({ labels, value: up });
    svc.pooled.push({ labels, value: pooled });
    svc.canDepool.push({ labels, value: p.canDepool ? 1 : 0 });
    svc.pooledDown.push({ labels, value: p.pooledDown.length });
    svc.couldNot.push({ labels, value: p.couldNotDepoolTotal });
    svc.threshold.push({ labels, value: p.depoolThreshold });
  }
}

/** ProxyFetch / DNSQuery request and RunCommand run durations, IdleConnection failures and losses. */
const SERIES_FAMILIES = [
  ['pybal_monitor_proxyfetch_request_duration_seconds', 'gauge', 'HTTP(S) request duration'],
  ['pybal_monitor_dnsquery_request_duration_seconds', 'gauge', 'DNS query duration'],
  ['pybal_monitor_runcommand_run_duration_seconds', 'gauge', 'Command duration'],
  ['pybal_monitor_idleconnection_connections_failed_total', 'counter', 'Connections failed to establish'],
  ['pybal_monitor_idleconnection_connections_lost_total', 'counter', 'Connections lost uncleanly'],
] as const;

/** Each family's labels after service, host and monitor (SERIES_FAMILIES order). */
const EXTRA_LABELS: readonly (readonly string[])[] = [['result', 'url'], ['result'], ['result', 'exitcode'], ['reason'], ['reason']];

/**
 * The sample being written: its family's name, then the label values (service, host, monitor, the
 * family's extras), the path cachedLabels looks the labels' text up by. Reused for every sample
 * (a render writes ~10,000 a second at 10,000 servers; cachedLabels keeps none of it).
 */
const paths = EXTRA_LABELS.map((extra) => new Array<string>(4 + extra.length).fill(''));
let family = 0;

/** The labels' text of the sample being written (paths[family]), made once per new series. */
function currentLabels(): string {
  const labels: Record<string, string> = {};
  const path = paths[family]!;
  ['service', 'host', 'monitor', ...EXTRA_LABELS[family]!].forEach((k, i) => { labels[k] = path[i + 1]!; });
  return seriesName('', labels);
}

function sample(w: PromWriter, value: number, a: string, b?: string): void {
  const path = paths[family]!;
  path[4] = a;
  if (b !== undefined) path[5] = b;
  w.sample(path[0]!, value, cachedLabels(path, currentLabels));
}

/** One series' samples of SERIES_FAMILIES[family] (none when the family is another monitor's). */
function writeSeries(s: CheckSeries, f: number, w: PromWriter): void {
  if (f < 3 ? s.monitor !== DURATION_MONITORS[f] : !s.connections) return;
  family = f;
  const path = paths[f]!;
  path[0] = SERIES_FAMILIES[f]![0];
  path[1] = s.service;
  path[2] = s.host;
  path[3] = s.monitor;
  if (f < 3) {
    for (const d of s.durations) {
      if (f === 0) sample(w, d.seconds, d.result, d.url ?? '');
      else if (f === 1) sample(w, d.seconds, d.result);
      else sample(w, d.seconds, d.result, d.exitcode ?? 'None');
    }
    return;
  }
  const counts = f === 3 ? s.connections!.failed : s.connections!.lost;
  const byReason = new Map<string, number>();
  for (const [code, n] of Object.entries(counts)) {
    const reason = f === 3 ? twistedFailedReason(code) : TWISTED_LOST_REASON;
    byReason.set(reason, (byReason.get(reason) ?? 0) + n);
  }
  for (const [reason, n] of byReason) sample(w, n, reason);
}

/** The monitors whose durations SERIES_FAMILIES 0–2 carry. */
const DURATION_MONITORS = ['ProxyFetch', 'DNSQuery', 'RunCommand'];

/** ProxyFetch / DNSQuery request and RunCommand run durations, IdleConnection failures and losses. */
export function perMonitorFamilies(checks: CheckMetricsStatus | undefined, perServer: PerServer): void {
  SERIES_FAMILIES.forEach(([name, type, help], family) => perServer(name, type, help, function* (w) {
    let i = 0;
    for (const s of checks?.series ?? []) {
      if (++i % SLICE === 0) yield;
      writeSeries(s, family, w);
    }
  }));
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
