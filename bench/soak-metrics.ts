// Reading the soak's figures out of vipd's /metrics (Prometheus text) and /proc.
import { readFileSync } from 'node:fs';

export interface Sample { name: string; labels: Record<string, string>; value: number }

/** The samples of `text`; with `names`, only those families' (a cheap test before the regexes: a 10,000-server /metrics is 7.6 MB). */
export function parseMetrics(text: string, names?: ReadonlySet<string>): Sample[] {
  const out: Sample[] = [];
  for (const line of text.split('\n')) {
    if (names) {
      const brace = line.indexOf('{'), space = line.indexOf(' ');
      if (!names.has(line.slice(0, brace >= 0 && brace < space ? brace : space))) continue;
    }
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})?\s+(\S+)$/.exec(line);
    if (!m) continue;
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]!] = l[2]!;
    out.push({ name: m[1]!, labels, value: Number(m[3]) });
  }
  return out;
}

/** Per host: monitor results (up + down), down transitions, and whether it is up now. */
export interface HostFigures { results: number; downTransitions: number; up: boolean }

export function hostFigures(samples: Sample[]): Map<string, HostFigures> {
  const hosts = new Map<string, HostFigures>();
  const get = (h: string): HostFigures => {
    let f = hosts.get(h);
    if (!f) { f = { results: 0, downTransitions: 0, up: false }; hosts.set(h, f); }
    return f;
  };
  for (const s of samples) {
    const h = s.labels.host;
    if (!h) continue;
    if (s.name === 'pybal_monitor_up_results_total' || s.name === 'pybal_monitor_down_results_total') get(h).results += s.value;
    else if (s.name === 'pybal_monitor_down_transitions_total') get(h).downTransitions += s.value;
    else if (s.name === 'vipd_server_up') get(h).up = s.value === 1;
  }
  return hosts;
}

/** Families about lateness, missed checks and loop lag, whatever other branches export. */
export function lagSamples(samples: Sample[]): Sample[] {
  return samples.filter((s) => /late|missed|lag|overlap|skipped/.test(s.name));
}

/** Resident set size of a process, bytes (Linux). */
export function rssOf(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) * 1024 : NaN;
}

/** CPU time (user + system) a process has used, seconds (Linux, 100 ticks/s). */
export function cpuSecondsOf(pid: number): number {
  const { user, system } = cpuSplitOf(pid);
  return user + system;
}

/** A process's CPU seconds so far, in user space and in the kernel (its syscalls: sockets, loopback TCP). */
export function cpuSplitOf(pid: number): { user: number; system: number } {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { user: Number(f[11]) / 100, system: Number(f[12]) / 100 };
}

/** The 1-minute load average: how busy the machine was. */
export function loadAverage(): number {
  return Number(readFileSync('/proc/loadavg', 'utf8').split(' ')[0]);
}

/** vipd's own schedule counters (issue 13 §4), summed over services: started, late, missed by reason, lag buckets. */
export interface ScheduleFigures { started: number; late: number; missedTimerLate: number; missedOverlap: number; lag: Array<[string, number]> }

export function scheduleFigures(samples: Sample[]): ScheduleFigures {
  const f: ScheduleFigures = { started: 0, late: 0, missedTimerLate: 0, missedOverlap: 0, lag: [] };
  const lag = new Map<string, number>();
  for (const s of samples) {
    if (s.name === 'vipd_health_checks_started_total') f.started += s.value;
    else if (s.name === 'vipd_health_checks_late_total') f.late += s.value;
    else if (s.name === 'vipd_health_checks_missed_total') {
      if (s.labels.reason === 'overlap') f.missedOverlap += s.value; else f.missedTimerLate += s.value;
    } else if (s.name === 'vipd_health_check_schedule_lag_seconds_bucket') lag.set(s.labels.le!, (lag.get(s.labels.le!) ?? 0) + s.value);
  }
  f.lag = [...lag];
  return f;
}

/** Late gaps seen by the backends against the soak's events: did a pool rewrite or a reload fall inside the gap? */
export function gapsByEvent(gaps: Array<[number, number]>, churnAt: number[], reloadAt: number[]): string {
  const inside = (at: number[], end: number, len: number): boolean => at.some((t) => t > end - len && t <= end);
  let churn = 0; let reload = 0; let neither = 0;
  const byMinute = new Map<string, number>();
  for (const [end, len] of gaps) {
    if (inside(reloadAt, end, len)) reload++; else if (inside(churnAt, end, len)) churn++; else neither++;
    const m = new Date(end).toISOString().slice(11, 16);
    byMinute.set(m, (byMinute.get(m) ?? 0) + 1);
  }
  const minutes = [...byMinute].sort((a, b) => b[1] - a[1]).slice(0, 8).map(([m, n]) => `${m}×${n}`).join(' ');
  return `${gaps.length} late gaps recorded: ${reload} spanning a reload, ${churn} a pool rewrite (only), ${neither} neither; busiest minutes (UTC) ${minutes || '-'}`;
}
