// Shrinking a hang or an out-of-memory: each candidate runs in a fresh worker, killed at the
// time bound (the worker's CPU time: thread-cpu.ts); the failure holds when the candidate is
// killed or its worker dies.
import { Worker } from 'node:worker_threads';
import { PROGRESS_SLOTS, type SingleJob, type WorkerMessage } from './protocol.js';
import { CpuBudget, wallBackstopMs } from './thread-cpu.js';

/** How one input ends in a fresh worker: a result (failing or not), killed at the bound, or the worker died. */
export type Outcome = 'ok' | 'failed' | 'hang' | 'memory';

export function outcomeInWorker(target: string, input: Uint8Array, timeoutMs: number, memoryMb: number): Promise<Outcome> {
  return new Promise((resolve) => {
    const progress = new SharedArrayBuffer(4 * PROGRESS_SLOTS);
    const slots = new Int32Array(progress);
    const job: SingleJob = { mode: 'single', target, input, progress };
    const w = new Worker(new URL('./worker.js', import.meta.url), { workerData: job, resourceLimits: { maxOldGenerationSizeMb: memoryMb } });
    let settled = false;
    const settle = (o: Outcome): void => {
      if (settled) return;
      settled = true;
      clearInterval(timer);
      void w.terminate().then(() => resolve(o));
    };
    // Worker start-up (loading the target's corpus) counts too: allow it a second on top.
    const budget = new CpuBudget(timeoutMs + 1000, wallBackstopMs(timeoutMs));
    const timer = setInterval(() => {
      budget.watch(Atomics.load(slots, 3));
      if (budget.over()) settle('hang');
    }, 100);
    w.on('message', (m: WorkerMessage) => { if (m.type === 'result') settle(m.failed ? 'failed' : 'ok'); });
    w.on('error', () => settle('memory'));
    w.on('exit', () => settle('memory'));
  });
}

/** The chunk-dropping shrink of check.ts, asynchronous: at most `budget` worker runs, keeping `kind`. */
export async function shrinkInWorkers(target: string, input: Uint8Array, kind: Outcome, timeoutMs: number, memoryMb: number, budget: number): Promise<Uint8Array> {
  let best = input;
  let tries = 0;
  for (let size = best.length >> 1; size >= 1 && tries < budget; size >>= 1) {
    for (let at = 0; at + size <= best.length && tries < budget; at += size) {
      const candidate = new Uint8Array(best.length - size);
      candidate.set(best.subarray(0, at), 0);
      candidate.set(best.subarray(at + size), at);
      tries++;
      if (await outcomeInWorker(target, candidate, timeoutMs, memoryMb) === kind) { best = candidate; at -= size; }
    }
  }
  return best;
}
