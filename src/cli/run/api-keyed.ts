/**
 * The API's keyed reading of the daemon (issue 13): per-server access to the coordinator and the
 * check series, and the change marks the coordinator feeds, so the API worker gets deltas.
 */
import { ChangeTracker } from '../../api/status-delta.js';
import type { BgpStatus, KeyedStatus } from '../../api/types.js';
import type { Coordinator, CoordinatorDeps } from '../../coordinator/coordinator.js';
import type { CheckMetrics } from '../../health/index.js';
import { withSpeakerTruth } from './speaker-adapter.js';

/** The coordinator's `changed` dependency feeding `t`. */
export function changeMarks(t: ChangeTracker): NonNullable<CoordinatorDeps['changed']> {
  return (service, host, state) => {
    if (service !== null && host !== undefined) {
      if (state) t.state(service, host); else t.server(service, host);
    } else t.service(service);
  };
}

export function keyedStatus(
  changes: ChangeTracker, coordinator: Coordinator, checks: CheckMetrics, bgp: () => BgpStatus,
): KeyedStatus {
  return {
    changes,
    summary: () => {
      const { pools: _, ...rest } = withSpeakerTruth({ ...coordinator.summary(), pools: [] }, bgp());
      return rest;
    },
    services: () => coordinator.serviceNames(),
    pool: (service) => coordinator.poolStatus(service),
    servers: (service, hosts) => coordinator.serverStatuses(service, hosts),
    hosts: (service) => coordinator.serverNames(service),
    monitors: (service, host) => coordinator.monitors(service, host),
    series: (service, host, monitor) => checks.series(service, host, monitor),
    histograms: () => checks.histogramList(),
  };
}

export { ChangeTracker };
