// Test support: how long a piece of async work held the event loop, in wall time and in CPU time
// (issue 13 §5: the long loops over 10,000 servers give the loop back).
import type { Test } from 'tap';

export interface Blocking { longest: number; cpu: number; total: number; totalCpu: number }

/**
 * The longest stretch the event loop was held while `work` ran, the most CPU time this process
 * spent within one stretch (a loaded box preempts us: wall time alone would blame our code), and
 * the whole duration.
 */
export async function blocking(work: () => Promise<unknown>): Promise<Blocking> {
  let longest = 0;
  let cpu = 0;
  let last = performance.now();
  let lastCpu = process.cpuUsage();
  let running = true;
  const tick = (): void => {
    const now = performance.now();
    const used = process.cpuUsage(lastCpu);
    longest = Math.max(longest, now - last);
    cpu = Math.max(cpu, (used.user + used.system) / 1000);
    last = now;
    lastCpu = process.cpuUsage();
    if (running) setImmediate(tick);
  };
  setImmediate(tick);
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  await work();
  const total = performance.now() - t0;
  const used = process.cpuUsage(cpu0);
  running = false;
  await new Promise((ok) => setImmediate(ok));
  return { longest, cpu, total, totalCpu: (used.user + used.system) / 1000 };
}

/**
 * Sliced: no stretch holds half of the work's CPU (unsliced, one holds all of it; sliced, the
 * busiest held 13–36% here, a major GC included). CPU, not wall time: on a loaded machine the kernel
 * preempts a 20 ms slice for 150 ms (a CI run saw a 168 ms stretch with 26 ms of CPU).
 */
export function gaveBack(t: Test, what: string, b: Blocking): void {
  t.ok(b.cpu < b.totalCpu / 2,
    `${what}: busiest stretch ${b.cpu.toFixed(1)} ms of CPU of ${b.totalCpu.toFixed(1)} ms (longest ${b.longest.toFixed(1)} ms of ${b.total.toFixed(1)} ms wall)`);
}

/**
 * The run whose busiest stretch held the smallest share of its CPU, of `runs` runs of `work`: one
 * major GC landing in a slice of a loaded machine can make a single sliced run look held; unsliced
 * work is held in every run.
 */
export async function leastBlocking(runs: number, work: (run: number) => Promise<unknown>): Promise<Blocking> {
  let best: Blocking | null = null;
  for (let i = 0; i < runs; i++) {
    const b = await blocking(() => work(i));
    if (!best || b.cpu / b.totalCpu < best.cpu / best.totalCpu) best = b;
  }
  return best!;
}
