// Issue 13: what one API reading costs at N realservers — the main thread's delta (nothing changed,
// every server's counters changed, one service's structure changed) and the worker's /metrics
// render from its copy (nothing changed since the last scrape, every server changed). Real
// coordinator and check metrics, no sockets. `node build/bench/bench/api-delta.js [N] [--whole]` after
// `npx tsc -p tsconfig.bench.json`; --whole sends a marked service whole (no SentLists: the way before
// states went by position), to compare in one build.
import { MetricsCache } from '../src/api/metrics-cache.js';
import { metricsText } from '../src/api/metrics.js';
import { StatusCopy } from '../src/api/status-copy.js';
import { SentLists } from '../src/api/state-delta.js';
import { lazyParts } from '../src/api/delta-parts.js';
import { encodePiece } from '../src/api/delta-pieces.js';
import { buildDelta, encodeCounters, type DeltaJob, type StatusDelta } from '../src/api/status-delta.js';
import { DELTA_PART_SERVERS } from '../src/api/delta-sender.js';
import { keyedRig } from '../test/support/keyed-rig.js';
import { redactInPlace } from '../src/api/snapshot.js';

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;

export async function measureApiDelta(n: number, whole = false): Promise<Record<string, number>> {
  const hosts = Array.from({ length: n }, (_, i) => `127.46.${Math.floor(i / 250)}.${(i % 250) + 1}`);
  const { clock, changes, checks, c, src, keyed } = await keyedRig('scale', '10.2.46.1', hosts);
  const result = (host: string): void => {
    checks.record('scale', host, 'ProxyFetch', { up: true, reason: 'HTTP 200', ms: 3, requests: [{ url: 'http://scale.example.org/healthz', up: true, ms: 3 }] });
    c.countResult('scale', host, 'ProxyFetch', true);
  };
  for (const h of hosts) { c.monitorResult('scale', h, 'ProxyFetch', { up: true, reason: 'HTTP 200' }); result(h); }
  clock.advance(0);
  const copy = new StatusCopy();
  const sent = whole ? undefined : new SentLists();
  const buildMs: number[] = [];
  const applyMs: number[] = [];
  const reading = (): { mainMs: number; workerMs: number; bytes: number; longestTurnMs: number; workerTurnMs: number } => {
    // as server.ts and delta-sender.ts do it: the build and the first part in one turn of the loop,
    // each other part (its counters encoded when it is taken, then cloned) in its own
    const t0 = performance.now();
    const jobs: DeltaJob[] = [];
    const head = buildDelta(src, keyed, changes.drain(), null, sent, jobs);
    buildMs.push(performance.now() - t0);
    let turn = performance.now() - t0;
    let longestTurnMs = 0;
    const cloned: StatusDelta[] = [];
    const { parts } = lazyParts(head, jobs, (s, h) => encodeCounters(keyed, s, h), DELTA_PART_SERVERS, (j) => encodePiece(keyed, j, sent));
    for (;;) {
      const c0 = performance.now();
      const p = parts.next();
      if (p.done) break;
      cloned.push(structuredClone(p.value)); // postMessage's clone
      longestTurnMs = Math.max(longestTurnMs, turn + performance.now() - c0);
      turn = 0;
    }
    // the worker: each part redacted and applied as it arrives (api-worker.ts), one turn each
    const t1 = performance.now();
    let workerTurnMs = 0;
    for (const d of cloned) {
      const w0 = performance.now();
      copy.apply(redactInPlace(d));
      workerTurnMs = Math.max(workerTurnMs, performance.now() - w0);
    }
    applyMs.push(performance.now() - t1);
    const text = metricsText(copy.snapshot());
    return { mainMs: t1 - t0, workerMs: performance.now() - t1, bytes: text.length, longestTurnMs, workerTurnMs };
  };
  const first = reading(); // every pool whole (a new worker, a reload)
  const idle: ReturnType<typeof reading>[] = [], all: ReturnType<typeof reading>[] = [], svc: ReturnType<typeof reading>[] = [];
  for (let k = 0; k < 5; k++) {
    idle.push(reading());
    for (const h of hosts) result(h);
    all.push(reading());
    c.monitorResult('scale', hosts[k]!, 'ProxyFetch', { up: false, reason: 'refused' });
    clock.advance(0);
    svc.push(reading());
  }
  // A service marked whole (a pool edit, the end of a resolution) with its list unchanged: states by position.
  const marked: ReturnType<typeof reading>[] = [];
  for (let k = 0; k < 3; k++) { changes.service('scale'); marked.push(reading()); }
  // A whole-service transition: every server down at once (a rack or switch loss), each counted.
  for (const h of hosts) {
    c.monitorResult('scale', h, 'ProxyFetch', { up: false, reason: 'refused' });
    checks.record('scale', h, 'ProxyFetch', { up: false, reason: 'refused', ms: 1, requests: [{ url: 'http://scale.example.org/healthz', up: false, ms: 1 }] });
    c.countResult('scale', h, 'ProxyFetch', false, 'refused');
  }
  clock.advance(0);
  const applied = applyMs.length;
  const allDown = reading();
  const allDownApplyMs = applyMs[applied]!;
  // The worker's kept /metrics (metrics-cache.ts): the longest slice a scrape can wait behind,
  // after every server's counters changed (its series re-rendered).
  for (const h of hosts) result(h);
  copy.apply(structuredClone(buildDelta(src, keyed, changes.drain(), null, sent)));
  const mc = new MetricsCache({ now: () => performance.now() });
  const t2 = performance.now();
  mc.refresh(() => copy.snapshot());
  for (let i = 0; i < 10_000 && mc.renders === 0; i++) await new Promise((r) => setImmediate(r));
  const keptRenderWallMs = performance.now() - t2;
  // The next second: every server's result counted again (up results and durations move, the rest
  // does not): the render the worker does each second while scraped, with the memo of the last
  // (line-memo.ts: unchanged families copied).
  const firstWork = mc.lastRenderMs;
  for (const h of hosts) result(h);
  copy.apply(structuredClone(buildDelta(src, keyed, changes.drain(), null, sent)));
  mc.refresh(() => copy.snapshot());
  for (let i = 0; i < 10_000 && mc.renders === 1; i++) await new Promise((r) => setImmediate(r));
  const keptNextRenderWorkMs = mc.lastRenderMs;
  c.stop();
  return {
    firstLongestTurnMs: first.longestTurnMs, markedLongestTurnMs: median(marked.map((r) => r.longestTurnMs)), firstWorkerTurnMs: first.workerTurnMs,
    allChangedLongestTurnMs: median(all.map((r) => r.longestTurnMs)), transitionLongestTurnMs: median(svc.map((r) => r.longestTurnMs)),
    allDownLongestTurnMs: allDown.longestTurnMs, allChangedWorkerTurnMs: median(all.map((r) => r.workerTurnMs)), allDownWorkerTurnMs: allDown.workerTurnMs, keptMaxSliceMs: mc.maxSliceMs, keptRenderWorkMs: firstWork, keptRenderWallMs, keptNextRenderWorkMs,
    applyMedianMs: median(applyMs.slice(1, applied)),
    servers: n, metricsBytes: all[0]!.bytes, buildOnlyMs: buildMs.slice(1).filter((_, i) => i % 3 === 1).sort((a, b) => a - b)[2]!,
    idleMainMs: median(idle.map((r) => r.mainMs)), idleWorkerMs: median(idle.map((r) => r.workerMs)),
    allChangedMainMs: median(all.map((r) => r.mainMs)), allChangedWorkerMs: median(all.map((r) => r.workerMs)),
    transitionMainMs: median(svc.map((r) => r.mainMs)), transitionWorkerMs: median(svc.map((r) => r.workerMs)),
    allDownMainMs: allDown.mainMs, allDownWorkerMs: allDown.workerMs, allDownApplyMs,
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const whole = process.argv.includes('--whole');
  const sizes = process.argv.slice(2).filter((a) => !a.startsWith('--')).map(Number);
  for (const n of sizes.length ? sizes : [1000, 10_000]) console.log(JSON.stringify(await measureApiDelta(n, whole)));
}
