/** The health area's public surface for the coordinator, the API and the CLI. */
export type { CheckRequest, CheckResult, Detail, Monitor, Result, Schedule, Target } from './monitor.js';
export {
  CheckMetrics, CHECK_BUCKETS_S, LATENCY_SAMPLES, type CheckDuration, type CheckHistogram, type CheckMetricsStatus, type CheckSeries, type LearnedTimeouts,
} from './check-metrics.js';
export type { LearnedTimeout } from './adaptive-timeout.js';
export type { MonitorOptions, OptionValue } from './options.js';
export { HealthRunner, checkWithTimeout } from './runner.js';
export { LAG_BUCKETS_S, type ScheduleStats, type ServiceSchedule } from './schedule-stats.js';
export { CheckAbort, type CheckSignal } from './check-signal.js';
export { nativeAddonUnavailable } from './monitors/native-addon.js';
export type { CheckLateness, RunnerOptions, RunnerStats, TimeoutHooks, Transition } from './runner.js';
export { createMonitor, isMonitorKind, MONITOR_KINDS } from './registry.js';
export { CATALOGUE, findMonitor, optionPrefix, optionSpec } from './catalogue/index.js';
export type { MonitorSpec, OptionSpec } from './catalogue/index.js';
export { parseDnsAnswer, type DnsAnswer, type DnsParse } from './monitors/dns-message.js';
export type { MonitorDeps, MonitorKind } from './registry.js';
