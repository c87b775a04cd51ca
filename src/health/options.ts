import { millis, type Millis } from '../time/clock.js';
import type { Schedule } from './monitor.js';
import { FLOOR_MS } from './adaptive-timeout.js';

/** Monitor options as pybal.conf gives them (prefix stripped) or `vipd probe --option` does. */
export type { MonitorOptions, OptionValue } from './catalogue/index.js';
export { OptionError, readOptions } from './catalogue/index.js';

export const secondsToMillis = (s: number): Millis => millis(Math.round(s * 1000));

/** `interval`, `timeout` (or `auto` and `timeout-max`), `rise`, `fall` as read through the catalogue, for the runner. */
export function scheduleOf(v: { interval: number; timeout: number | 'auto'; 'timeout-max'?: number; rise: number; fall: number }): Schedule {
  const base = { intervalMs: secondsToMillis(v.interval), rise: v.rise, fall: v.fall };
  if (v.timeout !== 'auto') return { ...base, timeoutMs: secondsToMillis(v.timeout) };
  const ceilingMs = secondsToMillis(v['timeout-max'] ?? 5);
  return { ...base, timeoutMs: ceilingMs, auto: { ceilingMs, floorMs: Math.min(FLOOR_MS, ceilingMs) } };
}
