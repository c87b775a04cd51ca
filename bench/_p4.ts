import { writeFileSync, mkdtempSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { FileSource } from '../src/pools/index.js';
import { SourceState } from '../src/pools/source-state.js';
import { systemClock } from '../src/time/clock.js';
const orig = SourceState.prototype.applyText;
SourceState.prototype.applyText = function (...a: Parameters<typeof orig>) { const t0 = performance.now(); const r = orig.apply(this, a); console.log('applyText', (performance.now() - t0).toFixed(1)); return r; };
const f = mkdtempSync('/tmp/sched/x') + '/p';
writeFileSync(f, Array.from({ length: 10000 }, (_, i) => `{ 'host': 'mw${i}.eqiad.wmnet', 'weight': 10, 'enabled': True }`).join('\n') + '\n');
for (let k = 0; k < 4; k++) {
  const h = monitorEventLoopDelay({ resolution: 1 });
  h.enable();
  await new Promise((r) => setTimeout(r, 20));
  const t0 = performance.now();
  const src = new FileSource(pathToFileURL(f).href, { clock: systemClock, stableMs: 0 });
  await new Promise<void>((res) => src.start(() => res(), (m) => console.log(m)));
  const t1 = performance.now();
  await src.stop();
  h.disable();
  console.log('eld max', (h.max / 1e6).toFixed(1), 'deliver', (t1 - t0).toFixed(0), 'stop', (performance.now() - t1).toFixed(0));
}
