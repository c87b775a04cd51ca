// Heap in use for memory tests (issue 13 §3): collected, and measured once the collector's sweeping
// has finished (it may end on a later turn; measured before, figures moved by ~500 B a server).
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** heapUsed after three collections a turn apart; with `arrayBuffers`, typed arrays' numbers (outside the heap) counted too. */
export async function settledHeap(o: { arrayBuffers?: boolean } = {}): Promise<number> {
  for (let i = 0; i < 3; i++) { gc(); await new Promise((r) => setTimeout(r, 20)); }
  const m = process.memoryUsage();
  return m.heapUsed + (o.arrayBuffers ? m.arrayBuffers : 0);
}
