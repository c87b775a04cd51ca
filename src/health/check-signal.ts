/**
 * What a check needs of an AbortSignal. A real AbortSignal fits; the runner passes a
 * `CheckAbort`, which costs far less to create: at thousands of checks per second a new
 * AbortController per check measurably lowered the check rate.
 */
export type CheckSignal = Pick<AbortSignal, 'aborted' | 'addEventListener' | 'removeEventListener'>;

/** A one-shot abort: listeners run once, in order; listeners added after the abort never run. */
export class CheckAbort implements CheckSignal {
  aborted = false;
  private listeners: (() => void)[] = [];

  addEventListener(type: string, listener: () => void): void {
    if (type === 'abort' && !this.aborted) this.listeners.push(listener);
  }

  removeEventListener(type: string, listener: () => void): void {
    const i = type === 'abort' ? this.listeners.indexOf(listener) : -1;
    if (i >= 0) this.listeners.splice(i, 1);
  }

  abort(): void {
    if (this.aborted) return;
    this.aborted = true;
    const listeners = this.listeners;
    this.listeners = [];
    for (const listener of listeners) listener();
  }
}
