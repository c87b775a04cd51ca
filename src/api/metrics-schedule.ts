/**
 * The health schedule on /metrics (issue 13 §4): per service, checks late and missed (with why),
 * the schedule-lag histogram and the first-round duration. Definitions: src/health/schedule-stats.ts
 * and docs/api.md "Health schedule".
 */
import { LAG_BUCKETS_S, type ServiceSchedule } from '../health/index.js';
import { floatToGoString, type Family, type Sample } from './prom-text.js';

type Fam = (name: string, type: Family['type'], help: string) => Sample[];

export function scheduleFamilies(schedule: ServiceSchedule[] | undefined, fam: Fam): void {
  if (!schedule?.length) return;
  const started = fam('vipd_health_checks_started_total', 'counter', 'Health checks started, by service');
  const late = fam('vipd_health_checks_late_total', 'counter',
    'Health checks that started more than 100 ms after their due time on the server\'s schedule, by service');
  const missed = fam('vipd_health_checks_missed_total', 'counter',
    'Scheduled checks that never started: reason overlap = the previous check of the same server still ran; '
    + 'timer-late = vipd\'s timer fired after the next due time, skipping the ones between');
  const lag = fam('vipd_health_check_schedule_lag_seconds', 'histogram', 'How late each health check started after its due time, by service');
  const first = fam('vipd_first_round_duration_seconds', 'gauge',
    'From the service\'s first health check to the first result of every server it held meanwhile (absent until complete)');
  const learned = fam('vipd_health_learned_expiries_total', 'counter',
    'timeout = auto: learned deadlines that passed (verdict held), of those the checks given up to timeout-max '
    + 'because many passed together or vipd stalled (ceiling), and answers that came in after the learned deadline (answered)');
  for (const s of schedule) {
    const service = { service: s.service };
    if (s.learned) {
      learned.push({ labels: { ...service, verdict: 'held' }, value: s.learned.held }, { labels: { ...service, verdict: 'ceiling' }, value: s.learned.ceiling },
        { labels: { ...service, verdict: 'answered' }, value: s.learned.answered });
    }
    started.push({ labels: service, value: s.checksStarted });
    late.push({ labels: service, value: s.late });
    missed.push({ labels: { ...service, reason: 'overlap' }, value: s.missedOverlap },
      { labels: { ...service, reason: 'timer-late' }, value: s.missedTimerLate });
    LAG_BUCKETS_S.forEach((b, i) => lag.push({ labels: { ...service, le: floatToGoString(b) }, value: s.lagBuckets[i]!, suffix: '_bucket' }));
    lag.push({ labels: { ...service, le: '+Inf' }, value: s.lagCount, suffix: '_bucket' },
      { labels: service, value: s.lagCount, suffix: '_count' }, { labels: service, value: s.lagSumSeconds, suffix: '_sum' });
    if (s.firstRoundMs !== null) first.push({ labels: service, value: s.firstRoundMs / 1000 });
  }
}
