/**
 * `vipd status`'s "Health schedule" section, read back from /metrics (the families of
 * src/api/metrics-schedule.ts), so it works against any vipd that serves them and says nothing
 * against one that does not.
 */
import { LAG_BUCKETS_S } from '../../health/index.js';

export interface ScheduleLine {
  service: string;
  started: number;
  late: number;
  missedOverlap: number;
  missedTimerLate: number;
  /** Cumulative lag bucket counts by upper bound (seconds), +Inf as Infinity. */
  lag: Map<number, number>;
  lagCount: number;
  firstRoundS: number | null;
}

const SAMPLE = /^(vipd_health_checks_(?:started|late|missed)_total|vipd_health_check_schedule_lag_seconds_(?:bucket|count)|vipd_first_round_duration_seconds)\{([^}]*)\} (\S+)$/;

export function labelsOf(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of text.matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) out[m[1]!] = m[2]!.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
  return out;
}

export function scheduleFromMetrics(text: string): ScheduleLine[] {
  const by = new Map<string, ScheduleLine>();
  for (const line of text.split('\n')) {
    const m = SAMPLE.exec(line);
    if (!m) continue;
    const labels = labelsOf(m[2]!);
    const service = labels.service ?? '';
    const v = Number(m[3]);
    let s = by.get(service);
    if (!s) {
      s = { service, started: 0, late: 0, missedOverlap: 0, missedTimerLate: 0, lag: new Map(), lagCount: 0, firstRoundS: null };
      by.set(service, s);
    }
    const name = m[1]!;
    if (name.endsWith('started_total')) s.started = v;
    else if (name.endsWith('late_total')) s.late = v;
    else if (name.endsWith('missed_total')) { if (labels.reason === 'overlap') s.missedOverlap = v; else s.missedTimerLate = v; }
    else if (name.endsWith('_bucket')) s.lag.set(labels.le === '+Inf' ? Infinity : Number(labels.le), v);
    else if (name.endsWith('_count')) s.lagCount = v;
    else s.firstRoundS = v;
  }
  return [...by.values()];
}

/** The smallest bucket bound holding at least `q` of the checks (an upper bound of that quantile). */
function quantileBound(s: ScheduleLine, q: number): number {
  for (const b of [...LAG_BUCKETS_S, Infinity]) if ((s.lag.get(b) ?? 0) >= q * s.lagCount) return b;
  return Infinity;
}

const ms = (sec: number): string => (sec === Infinity ? '> 10 s' : `≤ ${+(sec * 1000).toFixed(1)} ms`);
const pct = (n: number, of: number): string => (of > 0 ? ` (${+((100 * n) / of).toFixed(3)}%)` : '');

export function formatSchedule(lines: ScheduleLine[]): string[] {
  if (lines.length === 0) return [];
  const out = ['', 'Health schedule:'];
  const width = Math.max(4, ...lines.map((l) => l.service.length));
  for (const l of lines) {
    const missed = l.missedOverlap + l.missedTimerLate;
    out.push(`  ${l.service.padEnd(width)}  ${l.started} checks started, ${l.late} late${pct(l.late, l.started)}, `
      + `${missed} missed (${l.missedOverlap} previous check still running, ${l.missedTimerLate} timer late); `
      + `lag p99 ${l.lagCount ? ms(quantileBound(l, 0.99)) : 'n/a'}; `
      + `first round ${l.firstRoundS === null ? 'not complete' : `${+l.firstRoundS.toFixed(3)} s`}`);
  }
  return out;
}
