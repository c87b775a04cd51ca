/**
 * The daemon's EtcdOutages (issue 17 §2: an etcd outage raises one alert): one per coordinator,
 * so the pool wiring and the site wiring report to the same one without daemon.ts passing it.
 */
import type { Coordinator } from '../../coordinator/coordinator.js';
import type { Logger } from '../../log/logger.js';
import { EtcdOutages } from '../../pools/etcd-outages.js';

type Alerts = Pick<Coordinator, 'raiseAlert' | 'clearAlert'>;

const perCoordinator = new WeakMap<Alerts, EtcdOutages>();

export function outagesOf(coordinator: Alerts, log: Logger): EtcdOutages {
  let o = perCoordinator.get(coordinator);
  if (!o) {
    const raised = new Set<string>();
    o = new EtcdOutages((source, message) => {
      if (message === null) {
        if (raised.delete(source)) log.info(`${source} answers again: alert cleared`);
        coordinator.clearAlert(source);
        return;
      }
      if (!raised.has(source)) log.warn(message);
      raised.add(source);
      coordinator.raiseAlert(source, 'warning', message);
    }, () => Date.now());
    perCoordinator.set(coordinator, o);
  }
  return o;
}
