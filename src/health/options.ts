import { millis, type Millis } from '../time/clock.js';
import type { Schedule } from './monitor.js';

/** Monitor options as pybal.conf gives them (prefix stripped) or `vipd probe --option` does. */
export type { MonitorOptions, OptionValue } from './catalogue/index.js';
export { OptionError, readOptions } from './catalogue/index.js';

export const secondsToMillis = (s: number): Millis => millis(Math.round(s * 1000));

/** `interval`, `timeout`, `rise`, `fall` as read through the catalogue, for the runner. */
export function scheduleOf(v: { interval: number; timeout: number; rise: number; fall: number }): Schedule {
  return { intervalMs: secondsToMillis(v.interval), timeoutMs: secondsToMillis(v.timeout), rise: v.rise, fall: v.fall };
}
