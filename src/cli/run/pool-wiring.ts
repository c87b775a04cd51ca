/** A service's pool source wired to the coordinator: lists in, its alerts raised and cleared (daemon.ts). */
import type { ServiceConfig } from '../../config/index.js';
import type { Coordinator } from '../../coordinator/coordinator.js';
import type { Logger } from '../../log/logger.js';
import type { PoolSource } from '../../pools/types.js';

/** Starts `s`'s pool source (made by `make`) and returns it. */
export function startPoolSource(
  s: ServiceConfig, log: Logger, make: (svc: ServiceConfig, log: Logger) => PoolSource,
  coordinator: Pick<Coordinator, 'updatePool' | 'raiseAlert' | 'clearAlert'>,
): PoolSource {
  const src = make(s, log);
  // A source alerts just before delivering a list read with problems (e.g. a skipped line):
  // that alert stays; a later list without one, or the source's recovery, clears it.
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
  );
  return src;
}
