/**
 * Long pool work in slices (issue 13 §5): a job is a `step()` that does one bounded piece (one
 * line, one entry) and returns false when done. `runSliced` runs steps for at most `sliceMs`, then
 * lets the event loop run (BGP keepalives, health checks, the API) before the next slice, so a
 * 10,000-server pool never blocks the loop for long; `runAll` runs the same job in one go.
 */
import { SLICE_MS, yieldToLoop } from '../time/slices.js';

export type Step = () => boolean;

/** Steps between two looks at the clock. */
const BATCH = 16;

export function runAll(step: Step): void {
  while (step());
}

export async function runSliced(step: Step, sliceMs = SLICE_MS, pause: () => Promise<void> = yieldToLoop): Promise<void> {
  for (let more = true; ;) {
    const end = performance.now() + sliceMs;
    do {
      for (let i = 0; i < BATCH && (more = step()); i++);
    } while (more && performance.now() < end);
    if (!more) return;
    await pause();
  }
}

/** A job over `n` items: `each(i)` for i = 0 … n-1, as a Step. */
export function overItems(n: number, each: (i: number) => void): Step {
  let i = 0;
  return () => {
    if (i >= n) return false;
    each(i++);
    return i < n;
  };
}
