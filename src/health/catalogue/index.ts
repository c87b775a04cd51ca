/**
 * The monitor catalogue's public surface: pure data and pure functions, importable by
 * src/config (scripts/lint-imports.mjs lets config reach this folder and nothing else of health).
 */
export { CATALOGUE, type Catalogue, type MonitorKind } from './monitors.js';
export { findMonitor, isMonitorKind, MONITOR_KEYS, MONITOR_KINDS, OptionError, optionPrefix, optionSpec, readOptions } from './read.js';
export { normalise, showValue, type Checked } from './normalise.js';
export { statusRule, type StatusRule } from './http-status.js';
export type { KindValue, MonitorOptions, MonitorSpec, OptionKind, OptionSpec, OptionValue, ValuesOf } from './types.js';
