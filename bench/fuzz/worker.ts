// The fuzz worker thread: runs inputs [from, to) of one target, or one given input; reports
// failures (already shrunk) to the supervisor, which watches `progress` to catch hangs.
import { parentPort, workerData } from 'node:worker_threads';
import { check, shrink } from './check.js';
import { inputOf, sourceOf } from './inputs.js';
import { targetNamed } from './registry.js';
import { currentThreadId } from './thread-cpu.js';
import type { RangeJob, SingleJob, WorkerMessage } from './protocol.js';

const job = workerData as RangeJob | SingleJob;
const target = targetNamed(job.target);
if (!target) throw new Error(`fuzz: no target '${job.target}'`);
const post = (m: WorkerMessage): void => parentPort!.postMessage(m);
Atomics.store(new Int32Array(job.progress), 3, currentThreadId());

if (job.mode === 'single') {
  post({ type: 'result', failed: check(target, job.input) !== null });
} else {
  const progress = new Int32Array(job.progress);
  const src = sourceOf(target);
  const seen = new Map<string, number>();
  for (let i = job.from; i < job.to; i++) {
    Atomics.store(progress, 0, i);
    const input = inputOf(target, src, job.seed, i);
    const f = check(target, input);
    if (!f) continue;
    const count = (seen.get(f.signature) ?? 0) + 1;
    seen.set(f.signature, count);
    if (count > job.perSignature) { Atomics.add(progress, 2, 1); continue; }
    const small = shrink(input, (b) => { Atomics.add(progress, 1, 1); return check(target, b)?.signature === f.signature; }, 20_000);
    post({ type: 'failure', index: i, kind: f.kind, message: f.message, signature: f.signature, input: small, original: input.length });
  }
  Atomics.store(progress, 0, job.to);
  post({ type: 'done' });
}
