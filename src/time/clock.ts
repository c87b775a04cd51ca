/** Milliseconds inside vipd; seconds appear only on the wire and in config. */
export type Millis = number & { readonly __unit: 'ms' };
export type Seconds = number & { readonly __unit: 's' };

export const millis = (n: number): Millis => n as Millis;
export const seconds = (n: number): Seconds => n as Seconds;
export const secondsToMillis = (s: Seconds | number): Millis => (s * 1000) as Millis;

export type Cancel = () => void;

/** The only source of time and timers; injected so pure logic can be tested with a fake. */
export interface Clock {
  /** Monotonic milliseconds. */
  now(): Millis;
  /** Wall-clock milliseconds since the epoch (for logs and status only). */
  wallNow(): number;
  setTimer(delay: Millis | number, fn: () => void): Cancel;
}

export const systemClock: Clock = {
  now: () => performance.now() as Millis,
  wallNow: () => Date.now(),
  setTimer(delay, fn) {
    const t = setTimeout(fn, Math.max(0, delay));
    return () => clearTimeout(t);
  },
};
