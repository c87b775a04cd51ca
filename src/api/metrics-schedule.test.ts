import t from 'tap';
import { formatSchedule, scheduleFromMetrics } from '../cli/commands/status-schedule.js';
import { ScheduleCounters } from '../health/schedule-stats.js';
import { metricsText } from './metrics.js';
import type { StatusSnapshot } from './types.js';

function snapshot(): StatusSnapshot {
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
    schedule: [{ service: 'web', ...c.stats(2) }, { service: 'api', ...new ScheduleCounters(100).stats(0) }],
  };
}

t.test('/metrics: late, missed by reason, the lag histogram and the first round, per service', async (t) => {
  const m = metricsText(snapshot());
  t.match(m, '# TYPE vipd_health_checks_late_total counter\nvipd_health_checks_late_total{service="web"} 1.0\n');
  t.match(m, 'vipd_health_checks_missed_total{reason="overlap",service="web"} 2.0\n'
    + 'vipd_health_checks_missed_total{reason="timer-late",service="web"} 5.0\n');
  t.match(m, '# TYPE vipd_health_check_schedule_lag_seconds histogram\n'
    + 'vipd_health_check_schedule_lag_seconds_bucket{le="0.001",service="web"} 1.0\n'
    + 'vipd_health_check_schedule_lag_seconds_bucket{le="0.005",service="web"} 2.0\n');
  t.match(m, 'vipd_health_check_schedule_lag_seconds_bucket{le="0.05",service="web"} 3.0\n');
  t.match(m, 'vipd_health_check_schedule_lag_seconds_bucket{le="+Inf",service="web"} 4.0\n'
    + 'vipd_health_check_schedule_lag_seconds_count{service="web"} 4.0\n'
    + 'vipd_health_check_schedule_lag_seconds_sum{service="web"} 0.2932\n');
  t.match(m, 'vipd_first_round_duration_seconds{service="web"} 1.25\n');
  t.notMatch(m, 'vipd_first_round_duration_seconds{service="api"}', 'absent until complete');
});

t.test('vipd status reads the schedule back from /metrics', async (t) => {
  const lines = scheduleFromMetrics(metricsText(snapshot()));
  t.match(lines, [{ service: 'web', started: 4, late: 1, missedOverlap: 2, missedTimerLate: 5, firstRoundS: 1.25 }, { service: 'api', firstRoundS: null }]);
  const text = formatSchedule(lines).join('\n');
  t.match(text, 'web   4 checks started, 1 late (25%), 7 missed (2 previous check still running, 5 timer late); lag p99 ≤ 250 ms; first round 1.25 s');
  t.match(text, 'api   0 checks started, 0 late, 0 missed');
  t.match(text, 'first round not complete');
  t.same(formatSchedule(scheduleFromMetrics('pybal_bgp_enabled 0.0\n')), [], 'an older vipd: no section');
});
