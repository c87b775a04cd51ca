/** A service's pool source wired to the coordinator: lists in, problems as the service's alert. */
import type { Coordinator } from '../../coordinator/coordinator.js';
import type { ServiceConfig } from '../../config/index.js';
import type { Logger } from '../../log/logger.js';
import type { PoolSource } from '../../pools/types.js';
import { outagesOf } from './etcd-outage-wiring.js';

/** Starts `src` for `s`. A source alerts just before delivering a list read with problems (e.g. a skipped
 * line): that alert stays; a later list without one, or the source's recovery, clears it. */
export function startPoolSource(s: ServiceConfig, src: PoolSource, coordinator: Coordinator, log: Logger): void {
  let fresh = false;
  src.start(
    (list) => {
      if (!fresh) coordinator.clearAlert(`pool ${s.name}`);
      void coordinator.updatePool(s.name, list);
    },
    (msg) => {
      log.warn(`pool source: ${msg}`);
      coordinator.raiseAlert(`pool ${s.name}`, 'warning', msg);
      fresh = true;
      queueMicrotask(() => { fresh = false; });
    },
    () => {
      log.info('pool source recovered');
      coordinator.clearAlert(`pool ${s.name}`);
    },
    // An unreachable etcd endpoint: one alert for every pool and the overrides it feeds (issue 17 §2).
    (endpoint, why) => outagesOf(coordinator, log).report(endpoint, { id: `pool ${s.name}`, kind: 'pool', label: s.name }, why),
  );
}

/** Stops a service's source; an etcd outage alert no longer names its pool. */
export async function stopPoolSource(name: string, src: PoolSource | undefined, coordinator: Coordinator, log: Logger): Promise<void> {
  outagesOf(coordinator, log).forget(`pool ${name}`);
  await src?.stop();
}
