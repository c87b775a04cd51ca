import t from 'tap';
import { metricsText } from './metrics.js';
import { scheduleSnapshot } from '../../test/support/schedule-snapshot.js';

t.test('/metrics: late, missed by reason, the lag histogram and the first round, per service', async (t) => {
  const m = metricsText(scheduleSnapshot());
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
  t.match(m, '# TYPE vipd_health_learned_expiries_total counter\n'
    + 'vipd_health_learned_expiries_total{service="web",verdict="held"} 7.0\n'
    + 'vipd_health_learned_expiries_total{service="web",verdict="ceiling"} 4.0\n'
    + 'vipd_health_learned_expiries_total{service="web",verdict="answered"} 5.0\n');
});
