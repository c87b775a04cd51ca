/**
 * What a check needs of an AbortSignal. A real AbortSignal fits; the runner passes a
 * `CheckAbort`, which costs far less to create: at thousands of checks per second a new
 * AbortController per check measurably lowered the check rate.
 */
export type CheckSignal = Pick<AbortSignal, 'aborted' | 'addEventListener' | 'removeEventListener'>;

/**
 * A one-shot abort: listeners run once, in order; listeners added after the abort never run. A
 * check adds one listener: it is held alone, without a list (a list grown by push keeps room for
 * 17: ~150 B more for every check, at 10,000 checks a second).
 */
export class CheckAbort implements CheckSignal {
  aborted = false;
  private first: (() => void) | null = null;
  private more: (() => void)[] | null = null;

  addEventListener(type: string, listener: () => void): void {
    if (type !== 'abort' || this.aborted) return;
    if (this.first === null && this.more === null) this.first = listener;
    else (this.more ??= []).push(listener);
  }

  removeEventListener(type: string, listener: () => void): void {
    if (type !== 'abort') return;
    if (this.first === listener) { this.first = null; return; }
    const i = this.more ? this.more.indexOf(listener) : -1;
    if (i >= 0) this.more!.splice(i, 1);
  }

  abort(): void {
    if (this.aborted) return;
    this.aborted = true;
    const first = this.first, more = this.more;
    this.first = null;
    this.more = null;
    if (first) first();
    for (const listener of more ?? []) listener();
  }
}
