import t from 'tap';
import { metricsText } from '../../api/metrics.js';
import { scheduleSnapshot } from '../../../test/support/schedule-snapshot.js';
import { formatSchedule, scheduleFromMetrics } from './status-schedule.js';

t.test('vipd status reads the schedule back from /metrics', async (t) => {
  const lines = scheduleFromMetrics(metricsText(scheduleSnapshot()));
  t.match(lines, [{ service: 'web', started: 4, late: 1, missedOverlap: 2, missedTimerLate: 5, firstRoundS: 1.25 }, { service: 'api', firstRoundS: null }]);
  const text = formatSchedule(lines).join('\n');
  t.match(text, 'web   4 checks started, 1 late (25%), 7 missed (2 previous check still running, 5 timer late); lag p99 ≤ 250 ms; first round 1.25 s');
  t.match(text, 'api   0 checks started, 0 late, 0 missed');
  t.match(text, 'first round not complete');
  t.same(formatSchedule(scheduleFromMetrics('pybal_bgp_enabled 0.0\n')), [], 'an older vipd: no section');
});
