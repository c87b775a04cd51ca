import t from 'tap';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { tuneMalloc, MMAP_THRESHOLD, operatorThreshold } from './malloc-tune.js';

t.test("an operator's GLIBC_TUNABLES threshold is kept, other tunables are not one", async (t) => {
  t.equal(operatorThreshold({ GLIBC_TUNABLES: 'glibc.malloc.arena_max=2:glibc.malloc.mmap_threshold=65536' }), 'glibc.malloc.mmap_threshold=65536');
  t.equal(operatorThreshold({ GLIBC_TUNABLES: 'glibc.malloc.arena_max=2' }), null);
  t.equal(operatorThreshold({}), null);
  t.same(tuneMalloc({ GLIBC_TUNABLES: 'glibc.malloc.mmap_threshold=65536' }), { fixed: true, text: 'malloc: GLIBC_TUNABLES glibc.malloc.mmap_threshold=65536 kept' });
});

// A child node allocates and frees a 16 MB buffer four times and says how much RSS each free kept.
const CHILD = `
const a = require(${JSON.stringify(resolve('native/build/Release/vipd_native.node'))});
const fixed = process.argv[1] === 'fix' ? a.mallocMmapThreshold(${MMAP_THRESHOLD}) : null;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const rss = () => process.memoryUsage.rss() / 1048576;
(async () => {
  const kept = [];
  for (let i = 0; i < 4; i++) {
    let b = Buffer.allocUnsafeSlow(16 << 20); b.fill(1);
    const before = rss(); b = null;
    for (let k = 0; k < 3; k++) { gc(); await sleep(30); }
    kept.push(rss() - before + 16);
  }
  console.log(JSON.stringify({ fixed, kept }));
})();`;

function keptByFrees(mode: 'fix' | 'default'): { fixed: number | null; kept: number[] } {
  const r = spawnSync(process.execPath, ['--expose-gc', '-e', CHILD, mode], { encoding: 'utf8', timeout: 30_000 });
  if (r.status !== 0) throw new Error(`child node: ${r.stderr}`);
  return JSON.parse(r.stdout) as { fixed: number | null; kept: number[] };
}

t.test('with the threshold fixed a freed 16 MB block goes back to the kernel every time', async (t) => {
  if (!existsSync('native/build/Release/vipd_native.node')) { t.fail('native addon missing: npm run build:native'); return; }
  // the control: glibc's default threshold rises after the first free, so later frees keep the block
  const before = keptByFrees('default');
  t.ok(before.kept.slice(1).some((mb) => mb > 12), `default threshold: a later free keeps the block (MB kept: ${before.kept.map((k) => k.toFixed(1)).join(', ')})`);
  const after = keptByFrees('fix');
  t.equal(after.fixed, 0, 'mallocMmapThreshold said 0');
  t.ok(after.kept.every((mb) => mb < 4), `fixed threshold: every free returns it (MB kept: ${after.kept.map((k) => k.toFixed(1)).join(', ')})`);
});

// Many small blocks freed at once, one still held after them: glibc keeps the freed pages inside
// its heap until malloc_trim gives them back.
const TRIM_CHILD = `
const a = require(${JSON.stringify(resolve('native/build/Release/vipd_native.node'))});
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const rss = () => process.memoryUsage.rss() / 1048576;
(async () => {
  let many = Array.from({ length: 20000 }, () => Buffer.allocUnsafeSlow(1000).fill(1));
  const pin = Buffer.allocUnsafeSlow(1000).fill(2);
  many = null;
  for (let k = 0; k < 3; k++) { gc(); await sleep(30); }
  const freed = rss();
  const trimmed = a.mallocTrim();
  console.log(JSON.stringify({ trimmed, givenBackMb: freed - rss(), pin: pin.length }));
})();`;

t.test('mallocTrim gives the free pages of many small freed blocks back to the kernel', async (t) => {
  if (!existsSync('native/build/Release/vipd_native.node')) { t.fail('native addon missing: npm run build:native'); return; }
  const r = spawnSync(process.execPath, ['--expose-gc', '-e', TRIM_CHILD], { encoding: 'utf8', timeout: 30_000 });
  t.equal(r.status, 0, r.stderr);
  const got = JSON.parse(r.stdout) as { trimmed: number; givenBackMb: number };
  t.equal(got.trimmed, 1, 'malloc_trim said it gave memory back');
  t.ok(got.givenBackMb > 10, `${got.givenBackMb.toFixed(1)} MB of the ~20 MB freed given back`);
});
