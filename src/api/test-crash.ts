/**
 * A test-only way to make the API worker die for real (issue 11: the worker is restarted): with
 * VIPD_TEST_API_CRASH=1 in vipd's environment, GET /test-crash/throw throws an uncaught exception
 * in the worker and /test-crash/oom fills its heap past its resourceLimits. Both end the worker
 * the way a bug or a memory blow-up in production would; without the variable the paths are 404.
 */
import type { IncomingMessage } from 'node:http';

const ENABLED = process.env.VIPD_TEST_API_CRASH === '1';

/** Whether `req` asked for a crash (then this call does not return normally). */
export function testCrash(req: IncomingMessage): boolean {
  if (!ENABLED || !req.url?.startsWith('/test-crash/')) return false;
  if (req.url === '/test-crash/oom') {
    const hog: number[][] = [];
    // Bounded far beyond any heap limit (80 GB): the worker dies long before the end.
    for (let i = 0; i < 100_000; i++) hog.push(new Array<number>(100_000).fill(i + 0.5));
    throw new Error(`test crash: ${hog.length} arrays held and no out-of-memory`);
  }
  setImmediate(() => { throw new Error('test crash asked by GET /test-crash/throw'); });
  return true;
}
