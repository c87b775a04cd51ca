// `npm run fuzz -- [--seed N] [--target NAME]... [--inputs N] [--state FILE] [--timeout-ms MS]
//  [--memory-mb MB] [--list]`: a seeded, resumable mutation-fuzz campaign, one target at a time
// in a worker thread the supervisor kills when one input runs past the time bound or the worker
// runs out of memory. Failures are shrunk and saved to test/fixtures/crashers/<target>/<hash>.in.
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { inputOf, sourceOf } from './inputs.js';
import { TARGETS, targetNamed } from './registry.js';
import { loadState, saveState, targetState, type CampaignState, type TargetState } from './state.js';
import { repoRoot, type FuzzTarget } from './target.js';
import { outcomeInWorker, shrinkInWorkers } from './supervise.js';
import { CpuBudget, wallBackstopMs } from './thread-cpu.js';
import { PROGRESS_SLOTS, type RangeJob, type WorkerMessage } from './protocol.js';

interface Options { seed: number; targets: FuzzTarget[]; inputs: number; state: string; timeoutMs: number; memoryMb: number; crashers: string }

function usage(msg: string): never {
  console.error(`fuzz: ${msg}\nusage: npm run fuzz -- [--seed N] [--target NAME]... [--inputs N] [--state FILE] [--timeout-ms MS] [--memory-mb MB] [--list]\ntargets: ${TARGETS.map((t) => t.name).join(', ')}`);
  process.exit(2);
}

function parseArgs(argv: string[]): Options {
  const o: Options = { seed: 1, targets: [], inputs: 10_000_000, state: join(repoRoot(), 'build/fuzz/state.json'), timeoutMs: 1000, memoryMb: 512, crashers: join(repoRoot(), 'test/fixtures/crashers') };
  const int = (flag: string, v: string | undefined): number => {
    const n = Number(v);
    if (v === undefined || !Number.isSafeInteger(n) || n < 0) usage(`${flag} needs a whole number, got '${v ?? ''}'`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const v = argv[i + 1];
    if (a === '--list') { for (const t of TARGETS) console.log(`${t.name.padEnd(16)} ${t.description}`); process.exit(0); }
    else if (a === '--seed') { o.seed = int(a, v); i++; }
    else if (a === '--inputs') { o.inputs = int(a, v); i++; }
    else if (a === '--timeout-ms') { o.timeoutMs = int(a, v); i++; }
    else if (a === '--memory-mb') { o.memoryMb = int(a, v); i++; }
    else if (a === '--state') { if (!v) usage('--state needs a file'); o.state = v; i++; }
    else if (a === '--target') {
      for (const name of (v ?? '').split(',').filter(Boolean)) o.targets.push(targetNamed(name) ?? usage(`no target '${name}'`));
      i++;
    } else usage(`unknown argument '${a}'`);
  }
  if (o.inputs > 2 ** 31 - 1) usage('--inputs is at most 2147483647');
  if (!o.targets.length) o.targets = [...TARGETS];
  return o;
}

const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');

function saveCrasher(o: Options, target: string, input: Uint8Array): string {
  const dir = join(o.crashers, target);
  mkdirSync(dir, { recursive: true });
  const name = `${createHash('sha256').update(input).digest('hex').slice(0, 16)}.in`;
  writeFileSync(join(dir, name), input);
  return join('test/fixtures/crashers', target, name);
}

/** Runs inputs [from, o.inputs) in one worker; resolves with the index where it stopped and why. */
function runRange(o: Options, t: FuzzTarget, st: TargetState, state: CampaignState, from: number): Promise<{ stoppedAt: number; why: 'done' | 'hang' | 'memory' | 'signal' }> {
  return new Promise((resolve) => {
    const progress = new SharedArrayBuffer(4 * PROGRESS_SLOTS);
    const slots = new Int32Array(progress);
    slots[0] = -1; // until the worker has loaded its corpus and begun
    const job: RangeJob = { mode: 'range', target: t.name, seed: o.seed, from, to: o.inputs, progress, perSignature: 1 };
    const worker = new Worker(new URL('./worker.js', import.meta.url), { workerData: job, resourceLimits: { maxOldGenerationSizeMb: o.memoryMb } });
    let last = [-1, 0];
    // An input's time bound is the worker's CPU time on it, so a stalled machine is not a hang.
    const budget = new CpuBudget(o.timeoutMs, wallBackstopMs(o.timeoutMs));
    let lastReport = Date.now();
    let reportedDone = from;
    let finished = false;
    const finish = (why: 'done' | 'hang' | 'memory' | 'signal', at: number): void => {
      if (finished) return;
      finished = true;
      clearInterval(poll);
      process.off('SIGINT', onSignal);
      st.done = Math.max(at, from);
      st.repeats += Atomics.exchange(slots, 2, 0);
      void worker.terminate().then(() => resolve({ stoppedAt: at, why }));
    };
    const onSignal = (): void => finish('signal', Atomics.load(slots, 0));
    process.on('SIGINT', onSignal);
    const started = Date.now();
    const baseMs = st.ms;
    const poll = setInterval(() => {
      const now = Date.now();
      const cur = [Atomics.load(slots, 0), Atomics.load(slots, 1)];
      budget.watch(Atomics.load(slots, 3));
      if (cur[0] !== last[0] || cur[1] !== last[1]) { last = cur; budget.start(now); }
      st.ms = baseMs + (now - started);
      if (cur[0] === -1) {
        if (now - started > wallBackstopMs(o.timeoutMs)) { console.error(`fuzz ${t.name}: the worker did not start within ${wallBackstopMs(o.timeoutMs) / 1000} s`); process.exit(1); }
        return;
      }
      if (budget.over(now)) { finish('hang', cur[0]!); return; }
      if (now - lastReport >= 10_000) {
        const rate = ((cur[0]! - reportedDone) * 1000) / (now - lastReport);
        console.log(`fuzz ${t.name}: ${fmt(cur[0]!)}/${fmt(o.inputs)} inputs (${((100 * cur[0]!) / o.inputs).toFixed(1)}%), ${fmt(rate)} inputs/s, ${st.failures.length} failures (+${st.repeats + Atomics.load(slots, 2)} repeats)`);
        lastReport = now;
        reportedDone = cur[0]!;
        st.done = cur[0]!;
        saveState(o.state, state);
      }
    }, 100);
    worker.on('message', (m: WorkerMessage) => {
      if (m.type === 'done') { finish('done', o.inputs); return; }
      if (m.type !== 'failure') return;
      // One saved file per bug: a signature already recorded (earlier run) is counted, not saved again.
      if (st.failures.some((f) => f.signature === m.signature)) { st.repeats++; return; }
      const file = saveCrasher(o, t.name, m.input);
      st.failures.push({ kind: m.kind, signature: m.signature, index: m.index, file, message: m.message.slice(0, 2000) });
      console.log(`fuzz ${t.name}: FAILURE (${m.kind}) at input ${m.index}, shrunk ${m.original} → ${m.input.length} bytes${file ? `, saved ${file}` : ''}\n  ${m.message.split('\n').slice(0, 4).join('\n  ')}`);
      saveState(o.state, state);
    });
    worker.on('error', (e: Error & { code?: string }) => finish(e.code === 'ERR_WORKER_OUT_OF_MEMORY' ? 'memory' : 'memory', Atomics.load(slots, 0)));
    worker.on('exit', () => { if (!finished) finish('memory', Atomics.load(slots, 0)); });
  });
}

async function campaign(o: Options): Promise<void> {
  const state = loadState(o.state, o.seed);
  console.log(`fuzz: seed ${o.seed}, ${fmt(o.inputs)} inputs per target, ${o.timeoutMs} ms per input, ${o.memoryMb} MB heap; state ${o.state}`);
  for (const t of o.targets) {
    const st = targetState(state, t.name);
    const startDone = st.done;
    const startMs = st.ms;
    let at = st.done;
    let lastStall = -1;
    while (at < o.inputs) {
      const r = await runRange(o, t, st, state, at);
      if (r.why === 'signal') { saveState(o.state, state); console.log(`fuzz: stopped; resume with the same command (state ${o.state})`); process.exit(130); }
      if (r.why === 'done') break;
      // A hang or an out-of-memory at input r.stoppedAt: regenerate it here, shrink it in fresh workers, record it, go on after it.
      const input = inputOf(t, sourceOf(t), o.seed, r.stoppedAt);
      // Confirmed in a fresh worker first: a niced campaign on a busy machine can stall a second.
      const again = await outcomeInWorker(t.name, input, o.timeoutMs, o.memoryMb);
      if (again !== r.why && lastStall !== r.stoppedAt) {
        lastStall = r.stoppedAt;
        console.log(`fuzz ${t.name}: input ${r.stoppedAt} stalled (${r.why}) but ran to '${again}' in a fresh worker: a stall of the machine, not counted`);
        st.stalls = (st.stalls ?? 0) + 1;
        at = r.stoppedAt;
        continue;
      }
      const small = await shrinkInWorkers(t.name, input, r.why, o.timeoutMs, o.memoryMb, 24);
      const file = saveCrasher(o, t.name, small);
      const message = r.why === 'hang' ? `no result within ${o.timeoutMs} ms` : `worker ran out of its ${o.memoryMb} MB heap (or died)`;
      st.failures.push({ kind: r.why, signature: r.why, index: r.stoppedAt, file, message });
      console.log(`fuzz ${t.name}: FAILURE (${r.why}) at input ${r.stoppedAt}: ${message}; shrunk ${input.length} → ${small.length} bytes, saved ${file}`);
      at = r.stoppedAt + 1;
      st.done = at;
      saveState(o.state, state);
    }
    st.done = o.inputs;
    saveState(o.state, state);
    const ran = st.done - startDone;
    const secs = (st.ms - startMs) / 1000;
    console.log(`fuzz ${t.name}: ${fmt(st.done)} inputs done (${fmt(ran)} this run in ${secs.toFixed(0)} s, ${fmt(ran / Math.max(secs, 0.001))} inputs/s), ${st.failures.length} failures, ${st.repeats} repeats`);
  }
}

await campaign(parseArgs(process.argv.slice(2)));
