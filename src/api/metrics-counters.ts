/**
 * Issue 16 §1–§2: the kernel's per-realserver counters, read every ipvs-stats-interval, as
 * gauges with `service` and `server` (the realserver's address as IPVS lists it) labels.
 */
import type { Family, Sample } from './prom-text.js';
import type { CountersStatus } from './types.js';

type Fam = (name: string, type: Family['type'], help: string) => Sample[];

export function counterFamilies(c: CountersStatus | undefined, fam: Fam): void {
  if (!c) return;
  const active = fam('vipd_realserver_active_connections', 'gauge', 'IPVS ActiveConn of the realserver (ipvsadm -Ln), last read');
  const inactive = fam('vipd_realserver_inactive_connections', 'gauge', 'IPVS InActConn of the realserver (ipvsadm -Ln), last read');
  const cps = fam('vipd_realserver_connections_per_second', 'gauge', 'New connections per second to the realserver (ipvsadm -Ln --rate), last read');
  const weight = fam('vipd_realserver_weight', 'gauge', 'Weight of the realserver in the kernel (ipvsadm -Ln), last read');
  const hole = fam('vipd_realserver_blackholed', 'gauge', '1 while the realserver shows the black-hole pattern: few active, many inactive or new connections');
  for (const s of c.servers) {
    const labels = { service: s.service, server: s.server };
    active.push({ labels, value: s.active });
    inactive.push({ labels, value: s.inactive });
    cps.push({ labels, value: s.connectionsPerSecond });
    weight.push({ labels, value: s.weight });
    hole.push({ labels, value: s.blackholed ? 1 : 0 });
  }
  fam('vipd_ipvs_stats_read_timestamp_seconds', 'gauge', 'When the IPVS counters were last read, seconds since the epoch (0: never)')
    .push({ labels: {}, value: (c.readAt ?? 0) / 1000 });
}
