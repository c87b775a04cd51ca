/**
 * Test-only: with VIPD_TEST_BLOCK_LOOP_MS=N set, SIGUSR2 blocks the main thread for N ms (no CPU
 * spent: Atomics.wait), as a burst of health checks, an API flood or a long GC would. Proves that
 * the BGP sessions do not depend on the main loop (test/integration/bgp-thread.test.ts).
 */
import type { Logger } from '../../log/logger.js';

export function installLoopBlockHook(log: Logger): void {
  const raw = process.env.VIPD_TEST_BLOCK_LOOP_MS;
  if (raw === undefined) return;
  const ms = Number(raw);
  if (!Number.isInteger(ms) || ms < 1 || ms > 600_000) throw new Error(`VIPD_TEST_BLOCK_LOOP_MS must be 1..600000 (ms), got '${raw}'`);
  const cell = new Int32Array(new SharedArrayBuffer(4));
  process.on('SIGUSR2', () => {
    const t0 = performance.now();
    Atomics.wait(cell, 0, 0, ms);
    log.warn('test hook: main thread free again', { blockedMs: Math.round(performance.now() - t0) });
  });
}
