/**
 * The seed's "LVS director list" (issue 16 §4) from live data, pure: per VIP and balancer, is it
 * announced to an Established peer, and does IPVS there receive traffic for it (new connections/s
 * > 0, summed over the VIP's services from `vipd_realserver_connections_per_second{service,server}`,
 * issue 16 §1)? A vipd without that metric gives "unknown", never "no".
 */
import { labelsOf } from '../commands/status-schedule.js';

/** What `vipd fleet` read from one balancer; `error` when it could not (the rest is then absent). */
export interface InstanceReading {
  name: string;
  url: string;
  error?: string;
  /** /vips JSON. */
  vips?: Array<{ prefix: string; announced: boolean; bgp?: string; announcedTo?: string[]; services: Array<{ name: string }> }>;
  /** /metrics text; absent or without the family: traffic unknown. */
  metrics?: string;
}

export type Announced = 'yes' | 'no' | 'bgp-off' | 'unreachable';
export type Traffic = 'yes' | 'no' | 'unknown';

export interface DirectorCell {
  balancer: string;
  url: string;
  announced: Announced;
  /** Established peers carrying the VIP. */
  peers: string[];
  traffic: Traffic;
  /** New connections per second over the VIP's services; null when unknown. */
  connectionsPerSecond: number | null;
  /** Announced and receiving traffic: this balancer really serves the VIP. */
  serving: boolean;
  error?: string;
}

export interface DirectorRow { vip: string; services: string[]; balancers: DirectorCell[] }

const CPS = 'vipd_realserver_connections_per_second';

/** service → connections/s summed over its realservers; null when the metric is absent. */
export function connectionsPerService(text: string | undefined): Map<string, number> | null {
  if (text === undefined) return null;
  let seen = false;
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (!line.startsWith(CPS)) continue;
    const m = /^vipd_realserver_connections_per_second(?:\{(.*)\})?\s+(\S+)/.exec(line);
    if (!m) continue;
    seen = true;
    const service = labelsOf(m[1] ?? '').service;
    const v = Number(m[2]);
    if (service === undefined || !Number.isFinite(v)) continue;
    out.set(service, (out.get(service) ?? 0) + v);
  }
  // A family declared (# TYPE) with no samples yet (never read): as absent.
  return seen ? out : null;
}

export function directorList(readings: InstanceReading[]): DirectorRow[] {
  const vips = new Map<string, Set<string>>();
  for (const r of readings) for (const v of r.vips ?? []) {
    const s = vips.get(v.prefix) ?? new Set<string>();
    for (const svc of v.services) s.add(svc.name);
    vips.set(v.prefix, s);
  }
  const cps = readings.map((r) => connectionsPerService(r.metrics));
  return [...vips.keys()].sort().map((vip) => ({
    vip,
    services: [...vips.get(vip)!].sort(),
    balancers: readings.map((r, i): DirectorCell => {
      const base = { balancer: r.name, url: r.url };
      if (r.error !== undefined || !r.vips) {
        return { ...base, announced: 'unreachable', peers: [], traffic: 'unknown', connectionsPerSecond: null, serving: false, error: r.error ?? 'no /vips' };
      }
      const v = r.vips.find((x) => x.prefix === vip);
      const peers = v?.announcedTo ?? [];
      const announced: Announced = !v ? 'no' : v.bgp === 'disabled' ? 'bgp-off' : v.announced && peers.length > 0 ? 'yes' : 'no';
      const per = cps[i];
      const rate = per && v ? v.services.reduce((sum, s) => sum + (per.get(s.name) ?? 0), 0) : null;
      const traffic: Traffic = rate === null ? 'unknown' : rate > 0 ? 'yes' : 'no';
      return { ...base, announced, peers, traffic, connectionsPerSecond: rate, serving: announced === 'yes' && traffic === 'yes' };
    }),
  }));
}

const pad = (cells: string[][]): string => {
  const widths = cells[0]!.map((_, c) => Math.max(...cells.map((r) => r[c]!.length)));
  return cells.map((r) => r.map((x, c) => x.padEnd(widths[c]!)).join('  ').trimEnd()).join('\n') + '\n';
};

const rateText = (c: DirectorCell): string => (c.connectionsPerSecond === null ? 'unknown' : `${c.traffic} (${+c.connectionsPerSecond.toFixed(2)}/s)`);

/** One line per VIP × balancer, then the balancers that could not be read. */
export function renderDirectorList(rows: DirectorRow[], readings: InstanceReading[]): string {
  const cells = [['VIP', 'BALANCER', 'ANNOUNCED', 'PEERS', 'TRAFFIC', 'SERVES']];
  for (const r of rows) for (const c of r.balancers) {
    if (c.announced === 'unreachable') continue;
    cells.push([r.vip, c.balancer, c.announced, c.peers.join(',') || '-', rateText(c), c.serving ? 'YES' : c.traffic === 'unknown' && c.announced === 'yes' ? '?' : '-']);
  }
  const bad = readings.filter((r) => r.error !== undefined).map((r) => `${r.name} (${r.url}): unreachable: ${r.error}\n`);
  return (cells.length > 1 ? pad(cells) : 'no VIPs\n') + bad.join('');
}
