// A status snapshot with two services' health schedules, for the /metrics and `vipd status` tests.
import type { StatusSnapshot } from '../../src/api/types.js';
import { ScheduleCounters } from '../../src/health/schedule-stats.js';

/** web: 4 checks (lags 0.2, 3, 40, 250 ms), 2 + 5 missed, first round 1.25 s, 7 learned expiries; api: nothing yet. */
export function scheduleSnapshot(): StatusSnapshot {
  const c = new ScheduleCounters(100);
  c.added();
  c.added();
  for (const lag of [0.2, 3, 40, 250]) c.started(lag, 1000);
  c.missedOverlap = 2;
  c.missedTimerLate = 5;
  c.settled(1400);
  c.settled(2250);
  return {
    coordinator: { pools: [], vips: [], alerts: [] }, bgp: { enabled: false, localAs: null, peers: [] }, ipvs: null,
    startedAt: 0, now: 0, loopLag: null,
    schedule: [{ service: 'web', ...c.stats(2), learned: { held: 7, ceiling: 4, answered: 5 } }, { service: 'api', ...new ScheduleCounters(100).stats(0) }],
  };
}

