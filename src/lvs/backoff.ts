import { millis, type Millis } from '../time/clock.js';

/** The wait before attempt `failures + 1`: `first` doubled per failure so far, never above `max`. */
export function backoff(failures: number, first: Millis, max: Millis): Millis {
  if (failures <= 1) return millis(Math.min(first, max));
  return millis(Math.min(max, first * 2 ** Math.min(failures - 1, 30)));
}
