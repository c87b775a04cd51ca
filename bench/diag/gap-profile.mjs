// What a thread ran during its gaps (bench/diag/loop-gaps.mjs): functions by the share of the
// profile's samples inside the gaps over minMs, inclusive (a function counted once per sample).
//   node bench/diag/gap-profile.mjs CPU.<...>.cpuprofile gaps.txt THREAD MIN_MS    (EACH=1: per gap; TOP=n)
// THREAD is the preload's threadId: 0 the main thread; the API worker is usually 1.
import { readFileSync } from 'node:fs';
const [file, gapsFile, thread, minMs] = process.argv.slice(2);
const p = JSON.parse(readFileSync(file, 'utf8'));
const byId = new Map(p.nodes.map((n) => [n.id, n]));
const parent = new Map();
for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const name = (n) => `${n.callFrame.functionName || '(anon)'} ${n.callFrame.url.split('/').slice(-2).join('/')}:${n.callFrame.lineNumber + 1}`;
const times = []; let t = p.startTime;
for (let i = 0; i < p.samples.length; i++) { t += p.timeDeltas[i]; times.push(t); }
const gaps = readFileSync(gapsFile, 'utf8').split('\n').map((l) => l.match(/GAP thread (\d+) (\d+) ms ending (\d+)/)).filter((m) => m && m[1] === thread && Number(m[2]) >= Number(minMs));
console.log(`profile ${p.startTime}..${t}; ${gaps.length} gaps`);
const total = new Map(); let all = 0;
for (const m of gaps) {
  const end = Number(m[3]), start = end - Number(m[2]) * 1000;
  const incl = new Map(); let n = 0;
  for (let i = 0; i < times.length; i++) {
    if (times[i] < start || times[i] > end) continue;
    n++;
    const seen = new Set();
    for (let x = p.samples[i]; x !== undefined; x = parent.get(x)) { const k = name(byId.get(x)); if (!seen.has(k)) { seen.add(k); incl.set(k, (incl.get(k) ?? 0) + 1); total.set(k, (total.get(k) ?? 0) + 1); } }
  }
  all += n;
  if (process.env.EACH) console.log(`gap ${m[2]} ms: ${n} samples\n   ${[...incl].sort((a, b) => b[1] - a[1]).slice(1, 12).map(([f, c]) => `${(100 * c / n).toFixed(0)}% ${f}`).join('\n   ')}`);
}
console.log(`all gaps: ${all} samples\n   ${[...total].sort((a, b) => b[1] - a[1]).slice(1, Number(process.env.TOP ?? 30)).map(([f, c]) => `${(100 * c / all).toFixed(0)}% ${f}`).join('\n   ')}`);
