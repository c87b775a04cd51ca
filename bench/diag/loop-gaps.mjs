// A preload for finding event-loop blocks (docs/benchmarks.md, session 11): every thread (the main
// one and each worker) logs each gap over 40 ms (GAP_MS) in its own 5 ms timer, with the monotonic time the
// gap ended in µs (the clock of a .cpuprofile's timestamps). With bench:scale:
//   VIPD_SCALE_KEEP=1 VIPD_SCALE_NODE_ARGS="--max-semi-space-size=2 --max-old-space-size=256 \
//     --import=$PWD/bench/diag/loop-gaps.mjs --cpu-prof --cpu-prof-dir=/tmp/prof" node build/bench/bench/scale.bench.js ...
// then `grep -ho 'GAP thread .*' <kept dir>/*.log > gaps.txt` and bench/diag/gap-profile.mjs.
// The timer itself costs a little: the late % of runs with it is not comparable.
import { threadId } from 'node:worker_threads';
let last = performance.now();
const t = setInterval(() => {
  const now = performance.now();
  if (now - last > Number(process.env.GAP_MS ?? 40)) process.stderr.write(`GAP thread ${threadId} ${(now - last).toFixed(0)} ms ending ${Number(process.hrtime.bigint() / 1000n)}\n`);
  last = now;
}, 5);
t.unref();
